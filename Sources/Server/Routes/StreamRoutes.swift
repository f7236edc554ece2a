import EventStore
import Hummingbird

/// One stream: its current version, and its events in either direction.
///
/// - `GET /v1/streams/{stream}`: `{stream, version, lastPosition, lastType, lastRecordedAt}`.
/// - `GET /v1/streams/{stream}/events?from=&direction=forward|backward&limit=`: `from` is a stream
///   version (default: the first for forward, the last for backward); `next` is the version to
///   continue from, or null when the read reached the end.
///
/// A stream without events is 404 `not-found`. Stream names may be percent-encoded in the path.
struct StreamRoutes<Context: RequestContext> {
    let store: EventStore

    func add(to router: Router<Context>) {
        router.get("/v1/streams/{stream}", use: summary)
        router.get("/v1/streams/{stream}/events", use: events)
    }

    struct SummaryBody: Codable, Equatable {
        var stream: String
        var version: UInt64
        var lastPosition: UInt64
        var lastType: String
        var lastRecordedAt: String
    }

    @Sendable func summary(_ request: Request, context: Context) throws -> LogAnswer {
        let stream = try context.pathIdentifier("stream")
        let head = try store.head().position
        let last = try lastEvent(of: stream, asOf: head)
        return try LogAnswer(position: head, encoding: SummaryBody(
            stream: stream, version: last.streamVersion, lastPosition: last.position, lastType: last.type,
            lastRecordedAt: RecordedEvent.iso8601(milliseconds: last.recordedAt)))
    }

    @Sendable func events(_ request: Request, context: Context) throws -> LogAnswer {
        let stream = try context.pathIdentifier("stream")
        let query = QueryParameters(request)
        let direction = try query.direction()
        let limit = try query.limit()
        let requested = try query.position("from")
        let head = try store.head().position
        let version = try lastEvent(of: stream, asOf: head).streamVersion

        var events: [RecordedEvent] = []
        var next: UInt64?
        switch direction {
        case .forward:
            let from = Swift.max(requested ?? 1, 1)
            if from <= version {
                events = try store.readStream(stream, from: from, direction: .forward, limit: limit)
                    .filter { $0.streamVersion <= version }
                if let last = events.last, last.streamVersion < version { next = last.streamVersion + 1 }
            }
        case .backward:
            let from = Swift.min(requested ?? version, version)
            if from >= 1 {
                events = try store.readStream(stream, from: from, direction: .backward, limit: limit)
                if let last = events.last, last.streamVersion > 1 { next = last.streamVersion - 1 }
            }
        }
        var body = JSONObjectBuilder()
        try body.add("stream", stream)
        try body.add("version", version)
        try body.add("direction", direction.rawValue)
        try body.add("events", events: events)
        try body.add("next", next)
        return LogAnswer(position: head, body: body.build())
    }

    private func lastEvent(of stream: String, asOf head: UInt64) throws -> RecordedEvent {
        guard let last = try store.lastEvent(of: stream, asOf: head) else {
            throw APIError.notFound("stream '\(stream)' has no events")
        }
        return last
    }
}
