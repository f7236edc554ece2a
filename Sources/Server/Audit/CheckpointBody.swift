import EventStore

/// A signed checkpoint as JSON.
struct CheckpointBody: Codable, Equatable {
    var position: UInt64
    var hash: String
    var signedAt: String
    var signedAtMs: Int64

    init(_ checkpoint: SignedCheckpoint) {
        position = checkpoint.position
        hash = checkpoint.hash.description
        signedAt = RecordedEvent.iso8601(milliseconds: checkpoint.signedAt)
        signedAtMs = checkpoint.signedAt
    }
}
