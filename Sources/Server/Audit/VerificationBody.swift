import EventStore

/// The JSON form of a `VerificationReport`; absent values are explicit nulls.
struct VerificationBody: Codable, Equatable {
    var intact: Bool
    var firstBadPosition: UInt64?
    var problem: String?
    var checkedEvents: UInt64
    var from: UInt64
    var to: UInt64
    var checkpointsVerified: Int
    /// False when the server has no checkpoint key, so checkpoint MACs could not be checked.
    var checkpointsAuthenticated: Bool
    /// The latest signed checkpoint the verification matched against the chain.
    var lastVerifiedCheckpoint: CheckpointBody?
    /// The latest signed checkpoint stored, verified or not.
    var lastSignedCheckpoint: CheckpointBody?
    /// Whether the latest signed checkpoint's HMAC was checked under the server's key and its hash
    /// matched the recomputed chain: true only then; false when the verification failed before
    /// reaching it; null when there is no checkpoint or no key (its signature cannot be checked).
    var lastSignedCheckpointVerified: Bool?
    /// How long the verification took, in milliseconds.
    var durationMs: Int64

    init(report: VerificationReport, lastSigned: SignedCheckpoint?, duration: Duration) {
        intact = report.isIntact
        firstBadPosition = report.firstBadPosition
        problem = report.problem
        checkedEvents = report.checkedEvents
        from = report.from
        to = report.to
        checkpointsVerified = report.checkpointsVerified
        checkpointsAuthenticated = !report.checkpointsUnauthenticated
        lastVerifiedCheckpoint = report.lastCheckpoint.map(CheckpointBody.init)
        lastSignedCheckpoint = lastSigned.map(CheckpointBody.init)
        if let lastSigned, !report.checkpointsUnauthenticated {
            lastSignedCheckpointVerified = report.isIntact && report.lastCheckpoint == lastSigned
        }
        let (seconds, attoseconds) = duration.components
        durationMs = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(intact, forKey: .intact)
        try container.encode(firstBadPosition, forKey: .firstBadPosition)
        try container.encode(problem, forKey: .problem)
        try container.encode(checkedEvents, forKey: .checkedEvents)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(checkpointsVerified, forKey: .checkpointsVerified)
        try container.encode(checkpointsAuthenticated, forKey: .checkpointsAuthenticated)
        try container.encode(lastVerifiedCheckpoint, forKey: .lastVerifiedCheckpoint)
        try container.encode(lastSignedCheckpoint, forKey: .lastSignedCheckpoint)
        try container.encode(lastSignedCheckpointVerified, forKey: .lastSignedCheckpointVerified)
        try container.encode(durationMs, forKey: .durationMs)
    }
}
