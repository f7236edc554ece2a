/// How far the state cycle has come in business time: the last day whose scheduled
/// re-evaluations have fired and the latest (clamped) event time. Business time along the log is
/// only nearly monotonic, so an event dated before `time` is applied at `time`.
public struct StateCycleClock: Sendable, Codable, Equatable {
    public var day: Int64
    public var time: Int64

    public init(day: Int64, time: Int64) {
        self.day = day
        self.time = time
    }
}
