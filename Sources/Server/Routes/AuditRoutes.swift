import EventStore
import Hummingbird

/// What an auditor asks: who did what when, and is the log intact.
///
/// - `GET /v1/audit/events?actor=&since=&until=&from=&limit=`: events by one actor and/or in the
///   time window `[since, until)` (ISO-8601), oldest first, from log position `from`. `next` is the
///   position to continue from, or null when nothing more matches as of `X-Log-Position`.
/// - `GET /v1/audit/verify`: recomputes the hash chain and checks the signed checkpoints.
struct AuditRoutes<Context: RequestContext> {
    let store: EventStore

    func add(to router: Router<Context>) {
        router.get("/v1/audit/events", use: events)
        router.get("/v1/audit/verify", use: verify)
    }

    @Sendable func events(_ request: Request, context: Context) throws -> LogAnswer {
        let query = QueryParameters(request)
        let actor = try query.identifier("actor")
        let from = try Swift.max(query.position("from") ?? 1, 1)
        let limit = try query.limit()
        let since = try query.timestamp("since")
        let until = try query.timestamp("until")
        if let since, let until, until <= since {
            throw APIError.invalidParameter("until", "until must be later than since")
        }
        let head = try store.head().position

        // Recorded times never decrease along the log, so the window is a range of positions:
        // it starts at the first event at or after `since` and ends before the first at `until`.
        var start = from
        if let since {
            let first = try store.firstPosition(recordedAtOrAfter: since)
            start = first == 0 ? head + 1 : Swift.max(start, first)
        }
        var events: [RecordedEvent] = []
        var more = false
        if start <= head {
            let read = if let actor {
                try store.read(actor: actor, from: start, limit: limit)
            } else {
                try store.readPage(from: start, limit: limit).events
            }
            events = read.filter { $0.position <= head }
            more = events.count == limit
            if let until, let end = events.firstIndex(where: { $0.recordedAt >= until }) {
                events.removeSubrange(end...)
                more = false
            }
        }
        var body = JSONObjectBuilder()
        try body.add("actor", actor)
        try body.add("since", since.map(RecordedEvent.iso8601(milliseconds:)))
        try body.add("until", until.map(RecordedEvent.iso8601(milliseconds:)))
        try body.add("events", events: events)
        try body.add("next", more ? events.last.map { $0.position + 1 } : nil)
        return LogAnswer(position: head, body: body.build())
    }

    @Sendable func verify(_ request: Request, context: Context) async throws -> LogAnswer {
        let store = store
        let (report, checkpoints) = try await offload { () throws -> (VerificationReport, [SignedCheckpoint]) in
            (try store.verify(), try store.checkpoints())
        }
        return try LogAnswer(position: report.to, encoding: VerificationBody(report: report, lastSigned: checkpoints.last))
    }
}

/// The JSON form of a `VerificationReport`; absent values are explicit nulls.
struct VerificationBody: Codable, Equatable {
    var intact: Bool
    var firstBadPosition: UInt64?
    var problem: String?
    var checkedEvents: UInt64
    var from: UInt64
    var to: UInt64
    var checkpointsVerified: Int
    /// False when the server has no checkpoint key, so checkpoint MACs could not be checked.
    var checkpointsAuthenticated: Bool
    /// The latest signed checkpoint the verification matched against the chain.
    var lastVerifiedCheckpoint: CheckpointBody?
    /// The latest signed checkpoint stored, verified or not.
    var lastSignedCheckpoint: CheckpointBody?

    init(report: VerificationReport, lastSigned: SignedCheckpoint?) {
        intact = report.isIntact
        firstBadPosition = report.firstBadPosition
        problem = report.problem
        checkedEvents = report.checkedEvents
        from = report.from
        to = report.to
        checkpointsVerified = report.checkpointsVerified
        checkpointsAuthenticated = !report.checkpointsUnauthenticated
        lastVerifiedCheckpoint = report.lastCheckpoint.map(CheckpointBody.init)
        lastSignedCheckpoint = lastSigned.map(CheckpointBody.init)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(intact, forKey: .intact)
        try container.encode(firstBadPosition, forKey: .firstBadPosition)
        try container.encode(problem, forKey: .problem)
        try container.encode(checkedEvents, forKey: .checkedEvents)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(checkpointsVerified, forKey: .checkpointsVerified)
        try container.encode(checkpointsAuthenticated, forKey: .checkpointsAuthenticated)
        try container.encode(lastVerifiedCheckpoint, forKey: .lastVerifiedCheckpoint)
        try container.encode(lastSignedCheckpoint, forKey: .lastSignedCheckpoint)
    }
}

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
