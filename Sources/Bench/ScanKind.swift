/// The full scans of a log the suite times.
///
/// The EventStore's two scans are the ones the issue sets a target for (headers only) or asks for
/// (data decoded); the bare cursor walk and SQLite's `SELECT` put them in proportion.
public enum ScanKind: String, Sendable, Codable, CaseIterable {
    /// `EventStore.scanHeaders`: envelope header decoded, data not touched.
    case eventStoreHeaders = "EventStore headers"
    /// `EventStore.scanEvents`: whole envelope decoded, data copied out.
    case eventStoreDecoded = "EventStore decoded"
    /// An LMDB cursor over the bare baseline's records, nothing decoded.
    case bareCursor = "bare LMDB cursor"
    /// `SELECT` of every column of every row in `seq_id` order, values copied out.
    case sqliteSelect = "SQLite SELECT"
}
