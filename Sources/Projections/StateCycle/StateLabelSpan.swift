/// The end of an interval, stored under each of its labels (`state\0active\0from\0customer`) so
/// that "who was in this state at time t" is a prefix scan of that label alone.
public struct StateLabelSpan: Sendable, Codable, Equatable {
    /// End of the interval (ms), nil while it is open.
    public var to: Int64?

    public init(to: Int64?) { self.to = to }
}
