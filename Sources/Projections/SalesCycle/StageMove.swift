/// One move of an opportunity out of a stage: to another stage, or to the outcomes `won` / `lost`;
/// stored under `sortable(at)\0opportunity\0move` for the conversion matrix of a period.
public struct StageMove: Sendable, Codable, Equatable {
    public var opportunityId: String
    public var at: Int64
    public var from: String
    /// A stage name, or `won` / `lost`.
    public var to: String
    public var kind: StageExit
    public var by: String
    public var reason: String?
    /// Owner at the time of the move.
    public var ownerId: String
}
