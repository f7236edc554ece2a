/// The engines a benchmark run compares.
///
/// The EventStore is measured against the two references the issue names: the bare LMDB loop (the
/// practical limit of this disk and this commit strategy) and SQLite (the embedded peer).
public enum SubjectKind: String, Sendable, Codable, CaseIterable {
    case eventStore = "EventStore"
    case bareLMDB = "bare LMDB"
    case sqlite = "SQLite"
}
