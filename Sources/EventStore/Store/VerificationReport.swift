/// The outcome of recomputing the hash chain.
public struct VerificationReport: Sendable, Equatable {
    /// The first position at which the log is not what the chain says, nil when intact.
    public var firstBadPosition: UInt64?
    /// What is wrong there.
    public var problem: String?
    /// Events whose hash was recomputed.
    public var checkedEvents: UInt64
    /// The range that was checked.
    public var from: UInt64
    public var to: UInt64
    /// Signed checkpoints that matched the recomputed chain and their HMAC.
    public var checkpointsVerified: Int
    /// The latest signed checkpoint seen in the range, if any.
    public var lastCheckpoint: SignedCheckpoint?
    /// True when no checkpoint key was configured, so checkpoints could not be authenticated.
    public var checkpointsUnauthenticated: Bool

    public var isIntact: Bool { firstBadPosition == nil }
}
