import EventStore

/// One page of the audit trail: the matching events, oldest first, and where to continue.
struct AuditPage: Sendable {
    var events: [RecordedEvent]
    /// The position to continue from, or nil when nothing more matches in the searched range.
    /// A page may be short (even empty) with a `next`: the per-request scan budget ran out.
    var next: UInt64?
}
