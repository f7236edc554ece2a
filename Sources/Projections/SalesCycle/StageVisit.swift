/// One stay of an opportunity in a stage (business time, ms), who brought it there and took it
/// away (envelope actors), and why (the event's reason, else the envelope's).
public struct StageVisit: Sendable, Codable, Equatable {
    public var stage: String
    public var enteredAt: Int64
    public var entry: StageEntry
    public var enteredBy: String
    public var entryReason: String?
    /// Nil while the opportunity is in the stage.
    public var exitedAt: Int64?
    public var exit: StageExit?
    public var exitedBy: String?
    public var exitReason: String?

    public init(stage: String, enteredAt: Int64, entry: StageEntry, enteredBy: String, entryReason: String?) {
        self.stage = stage
        self.enteredAt = enteredAt
        self.entry = entry
        self.enteredBy = enteredBy
        self.entryReason = entryReason
    }

    /// Time spent in the stage (ms), nil while still there.
    public var duration: Int64? { exitedAt.map { $0 - enteredAt } }
}
