import EventStore

/// What an auditor filters the log by: who (actor), which record (stream), what (event type),
/// from where (client address) and when (`[since, until)` on recorded time). Every member is
/// optional; all given members must match.
///
/// Shared by `GET /v1/audit/events` and `GET /v1/audit/export`, so a query and its export
/// always select the same events.
struct AuditFilter: Sendable, Equatable {
    /// The actor's id (`Actor.id`, the token's user).
    var actor: String?
    /// The record: a stream name such as `customer-C0001`.
    var stream: String?
    /// The event type.
    var type: String?
    /// The client address recorded in the envelope's source.
    var clientAddress: String?
    /// Window start, ms since the epoch (inclusive).
    var since: Int64?
    /// Window end, ms since the epoch (exclusive).
    var until: Int64?

    /// The query parameters this filter reads, for the OpenAPI document and the access record.
    static let parameterNames = ["actor", "stream", "type", "clientAddress", "since", "until"]

    /// Parses the filter from `query`; a malformed or contradictory value is a 400 naming it.
    init(_ query: QueryParameters) throws(APIError) {
        actor = try query.identifier("actor")
        stream = try query.identifier("stream")
        type = try query.identifier("type")
        clientAddress = try query.identifier("clientAddress")
        since = try query.timestamp("since")
        until = try query.timestamp("until")
        if let since, let until, until <= since {
            throw .invalidParameter("until", "until must be later than since")
        }
    }

    /// A filter with the given members (tests, and callers that build one in code).
    init(actor: String? = nil, stream: String? = nil, type: String? = nil, clientAddress: String? = nil,
         since: Int64? = nil, until: Int64? = nil) {
        self.actor = actor
        self.stream = stream
        self.type = type
        self.clientAddress = clientAddress
        self.since = since
        self.until = until
    }

    /// Whether `event` passes the actor, stream, type and client filters (the window is applied
    /// as a range of positions, see `positions(in:head:)`).
    func matches(_ event: RecordedEvent) -> Bool {
        if let actor, event.actor.id != actor { return false }
        if let stream, event.stream != stream { return false }
        if let type, event.type != type { return false }
        if let clientAddress, event.source.clientAddress != clientAddress { return false }
        return true
    }

    /// The positions the time window covers in a log ending at `head`, or nil when it covers none.
    ///
    /// Recorded times never decrease along the log, so the window is one range of positions: from
    /// the first event at or after `since` to the last one before `until`. Two binary searches.
    func positions(in store: EventStore, head: UInt64) throws -> ClosedRange<UInt64>? {
        guard head > 0 else { return nil }
        var first: UInt64 = 1
        if let since {
            first = try store.firstPosition(recordedAtOrAfter: since)
            if first == 0 { return nil }
        }
        var last = head
        if let until {
            let end = try store.firstPosition(recordedAtOrAfter: until)
            if end != 0 { last = Swift.min(last, end - 1) }
        }
        guard first <= last else { return nil }
        return first...last
    }

    /// The filter's members as strings, as recorded in an access event (absent members left out).
    var recorded: [String: String] {
        var members: [String: String] = [:]
        members["actor"] = actor
        members["stream"] = stream
        members["type"] = type
        members["clientAddress"] = clientAddress
        members["since"] = since.map(RecordedEvent.iso8601(milliseconds:))
        members["until"] = until.map(RecordedEvent.iso8601(milliseconds:))
        return members
    }
}
