/// One interval `[from, to)` (business time, ms since the epoch) of a customer's state cycle, with
/// what started it. The last interval of a customer is open (`to == nil`).
public struct StateInterval: Sendable, Codable, Equatable {
    public var customerId: String
    public var from: Int64
    public var to: Int64?
    public var labels: StateLabels
    public var cause: StateChangeCause

    public init(customerId: String, from: Int64, to: Int64?, labels: StateLabels, cause: StateChangeCause) {
        self.customerId = customerId
        self.from = from
        self.to = to
        self.labels = labels
        self.cause = cause
    }

    /// Whether business time `time` falls inside the interval.
    public func contains(_ time: Int64) -> Bool { from <= time && (to.map { time < $0 } ?? true) }
}
