/// How an opportunity left a stage: moved on (forward, skip), moved back, or closed there.
public enum StageExit: String, Sendable, Codable, CaseIterable {
    case forward, skip, back, won, lost
}
