/// How far behind the log head a projector may be and still count as ready (`GET /ready`).
///
/// Both bounds must hold: the events not yet applied, and the recorded-time distance between the
/// head and the last applied event (`ProjectorStatus.lagEvents`, `lagSeconds`).
public struct ReadinessBound: Sendable, Equatable {
    /// Events a projector may not have applied yet.
    public var maxLagEvents: UInt64
    /// Seconds of recorded time a projector may trail the head by.
    public var maxLagSeconds: Double

    /// The defaults tolerate a burst of appends (1,000 events) written within 30 seconds.
    public init(maxLagEvents: UInt64 = 1_000, maxLagSeconds: Double = 30) {
        self.maxLagEvents = maxLagEvents
        self.maxLagSeconds = maxLagSeconds
    }
}
