import EventStore
import Hummingbird

/// The global log: its head, pages of it, and single events by position.
///
/// - `GET /v1/log/head`
/// - `GET /v1/events?from=&limit=&types=a,b`: `{events, next}`; `next` is where the following
///   page starts (always present: the log grows, so a client can keep polling from it).
/// - `GET /v1/events/{position}`
struct LogRoutes<Context: RequestContext> {
    let store: EventStore

    func add(to router: Router<Context>) {
        router.get("/v1/log/head", use: head)
        router.get("/v1/events", use: page)
        router.get("/v1/events/{position}", use: event)
    }

    /// The end of the log; times are null for an empty log.
    struct HeadBody: Codable, Equatable {
        var position: UInt64
        var hash: String
        var recordedAt: String?
        var recordedAtMs: Int64?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(position, forKey: .position)
            try container.encode(hash, forKey: .hash)
            try container.encode(recordedAt, forKey: .recordedAt)
            try container.encode(recordedAtMs, forKey: .recordedAtMs)
        }
    }

    @Sendable func head(_ request: Request, context: Context) throws -> LogAnswer {
        let head = try store.head()
        let empty = head.position == 0
        return try LogAnswer(position: head.position, encoding: HeadBody(
            position: head.position, hash: head.hash.description,
            recordedAt: empty ? nil : RecordedEvent.iso8601(milliseconds: head.recordedAt),
            recordedAtMs: empty ? nil : head.recordedAt))
    }

    @Sendable func page(_ request: Request, context: Context) throws -> LogAnswer {
        let query = QueryParameters(request)
        let from = try Swift.max(query.position("from") ?? 1, 1)
        let limit = try query.limit()
        let types = try query.list("types")
        let head = try store.head().position
        var events: [RecordedEvent] = []
        var next = from
        if from <= head {
            let page = try store.readPage(from: from, limit: limit, types: types)
            events = page.events.filter { $0.position <= head }
            next = Swift.min(page.next, head + 1)
        }
        var body = JSONObjectBuilder()
        try body.add("events", events: events)
        try body.add("next", next)
        return LogAnswer(position: head, body: body.build())
    }

    @Sendable func event(_ request: Request, context: Context) throws -> LogAnswer {
        let position = try context.pathPosition("position")
        let head = try store.head().position
        guard position <= head, let event = try store.event(at: position) else {
            throw APIError.notFound("no event at position \(position); the log ends at \(head)")
        }
        return LogAnswer(position: head, body: event.json)
    }
}
