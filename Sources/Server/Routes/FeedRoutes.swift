import EventStore
import Hummingbird
import HTTPTypes

/// The live feed of the raw log as server-sent events.
///
/// - `GET /v1/feed?from=&through=&types=A,B`: `text/event-stream`; catches up from log position `from`
///   (inclusive; without it, from the next event to be appended), then follows the log live. Each
///   event is `id: <position>`, `event: <type>`, `data: <the event as /v1/events/{position}
///   gives it>`. A reconnecting client sends `Last-Event-ID` and continues after that position
///   (the header wins over `from`). A comment line every `heartbeat` keeps idle connections open.
///   `X-Log-Position` is the head when the feed started. With `through`, the stream ends after
///   that position instead of following the log (a bounded replay in the same framing).
///
/// The feed is the whole log, across every team's records, so it is not narrowed by row scope:
/// only roles with `feed.read` (admin, auditor, integrators given that scope) may open it.
struct FeedRoutes {
    /// The header a reconnecting event-source client sends (WHATWG HTML, server-sent events).
    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    /// The log the feed follows.
    let dependencies: APIDependencies
    /// How long an idle feed waits before sending a heartbeat comment.
    let heartbeat: Duration
    /// The feeds open at once; one more is refused with 429 `too-many-requests`. Each open feed
    /// holds a connection and wakes on every commit, so their number is bounded apart from the
    /// request limit (which counts a streamed response only until its handler returns).
    let subscribers: RequestGate

    /// The feed over `dependencies`; tests shorten the heartbeat and lower the subscriber limit.
    init(dependencies: APIDependencies, heartbeat: Duration = .seconds(15), maxSubscribers: Int = 64) {
        self.dependencies = dependencies
        self.heartbeat = heartbeat
        subscribers = RequestGate(limit: maxSubscribers)
    }

    func add(to router: Router<CRMRequestContext>) {
        router.get("/v1/feed", use: feed)
    }

    @Sendable func feed(_ request: Request, context: CRMRequestContext) throws -> Response {
        let query = QueryParameters(request)
        let types = try query.list("types")
        let from = try query.position("from")
        let through = try query.position("through")
        let resumeAfter = try Self.lastEventID(request)
        let head = dependencies.store.headWatch.head
        let start = resumeAfter.map { $0 + 1 } ?? from.map { Swift.max($0, 1) } ?? head + 1
        let stream = FeedStream(store: dependencies.store, types: types, heartbeat: heartbeat)
        let subscribers = subscribers
        guard subscribers.enter() else {
            throw APIError(.tooManyRequests, "\(subscribers.limit) feeds are open, the server's limit; retry later")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.logPosition] = String(head)
        // Tells a buffering reverse proxy (nginx) to pass events through as they are written.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { subscribers.leave() }
            try await stream.run(from: start, through: through, to: &writer)
            try await writer.finish(nil)
        })
    }

    /// The position in `Last-Event-ID`: absent or empty means none; anything but a non-negative
    /// integer is a 400.
    static func lastEventID(_ request: Request) throws(APIError) -> UInt64? {
        guard let text = request.headers[lastEventID], !text.isEmpty else { return nil }
        guard let position = UInt64(text) else {
            throw .invalidParameter("Last-Event-ID", "Last-Event-ID must be a log position (a non-negative integer), got '\(text)'")
        }
        return position
    }
}
