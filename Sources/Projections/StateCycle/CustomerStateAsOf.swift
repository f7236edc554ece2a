/// A customer's state cycle at one business time: the interval holding it, and whether that
/// interval was projected from pending time-driven changes beyond what the read model has
/// processed (true: later events may still change it).
public struct CustomerStateAsOf: Sendable, Codable, Equatable {
    public var customerId: String
    /// The time asked about (ms).
    public var at: Int64
    /// The interval containing `at`; `to` is nil when it is the current one.
    public var interval: StateInterval
    public var projected: Bool

    public init(customerId: String, at: Int64, interval: StateInterval, projected: Bool) {
        self.customerId = customerId
        self.at = at
        self.interval = interval
        self.projected = projected
    }
}
