/// What an operator needs to know about one projector, answered from memory and the log head.
public struct ProjectorStatus: Sendable, Codable, Equatable {
    /// `catchingUp` until the checkpoint first reaches the head, then `live`; `rebuilding` while a
    /// shadow generation is built (the live one keeps serving); `parked` after an event failed.
    public enum State: String, Sendable, Codable { case starting, catchingUp, live, rebuilding, parked, stopped }

    /// Where and why a projector stopped.
    public struct Parked: Sendable, Codable, Equatable {
        public var position: UInt64
        public var reason: String
    }

    /// A rebuild in progress.
    public struct Rebuild: Sendable, Codable, Equatable {
        public var generation: Int
        public var version: Int
        public var checkpoint: UInt64
        public var target: UInt64
    }

    /// How the last rebuild ended: the swap, and (same code version) whether replay reproduced
    /// the old read model exactly.
    public struct RebuildOutcome: Sendable, Codable, Equatable {
        public var fromGeneration: Int
        public var toGeneration: Int
        public var position: UInt64
        public var oldChecksum: String?
        public var newChecksum: String
        /// Nil when the versions differ (no comparison is meaningful).
        public var checksumsMatch: Bool?
        public var seconds: Double
    }

    public var name: String
    public var version: Int
    public var state: State
    public var generation: Int
    /// Last position the read model reflects.
    public var checkpoint: UInt64
    public var head: UInt64
    public var lagEvents: UInt64
    /// Recorded-time distance between the head and the oldest event not reflected yet (how long
    /// that event has waited), 0 when caught up.
    public var lagSeconds: Double
    /// Log events consumed per second over the last few seconds.
    public var eventsPerSecond: Double
    public var eventsApplied: UInt64
    public var parked: Parked?
    public var rebuild: Rebuild?
    public var lastRebuild: RebuildOutcome?
}
