/// How an opportunity came into a stage: opened there, moved by one step, by several (skip) or
/// back, or taken up again after an outcome (reopened).
public enum StageEntry: String, Sendable, Codable, CaseIterable {
    case opened, forward, skip, back, reopened
}
