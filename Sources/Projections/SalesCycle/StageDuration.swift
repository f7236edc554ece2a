import Domain

/// One finished stay in a stage, stored under `stage\0sortable(exitedAt)\0opportunity\0visit` so
/// that the durations of a stage over a period are one range scan (for averages and percentiles).
public struct StageDuration: Sendable, Codable, Equatable {
    public var opportunityId: String
    public var customerId: String
    public var kind: SalesCycleKind
    public var stage: String
    public var enteredAt: Int64
    public var exitedAt: Int64
    /// Owner when the stage was left.
    public var ownerId: String
    public var exit: StageExit

    /// Time in the stage (ms).
    public var duration: Int64 { exitedAt - enteredAt }
}
