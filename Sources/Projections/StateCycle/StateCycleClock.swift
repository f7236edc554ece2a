/// How far the state cycle has come in business time: the latest (clamped) event time and its
/// day, and the last day whose scheduled re-evaluations have all fired. Business time along the
/// log is only nearly monotonic, so an event dated before `time` is applied at `time`.
public struct StateCycleClock: Sendable, Codable, Equatable {
    public var day: Int64
    public var time: Int64
    /// The last day whose due customers have all been re-evaluated, when it is before `day`
    /// (nil: every day through `day`). The days after it are fired a few customers per event
    /// (`StateCycleProjector.firesPerEvent`), so crossing midnight costs no append a stall.
    public var fired: Int64?
    /// How many customers of the bucket of the day after `firedThrough` have been fired (taken in
    /// the bucket's order, which stays fixed until the bucket is done), nil for none.
    public var firing: Int?

    public init(day: Int64, time: Int64, fired: Int64? = nil, firing: Int? = nil) {
        self.day = day
        self.time = time
        self.fired = fired
        self.firing = firing
    }

    /// The last day whose due customers have all been re-evaluated.
    public var firedThrough: Int64 { fired ?? day }
}
