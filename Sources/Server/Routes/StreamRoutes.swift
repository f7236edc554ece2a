import Domain
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
///
/// Integrations append raw events (`streams.append`), only to `ext-…` streams (`IntegrationAppend`):
/// - `POST /v1/streams/{stream}/events` with `{expectedVersion, events}`: 201 with
///   `{stream, streamVersion, positions, wasAlreadyStored}`; the client's event ids make a retry
///   idempotent (the first positions come back, nothing is written twice).
/// - `POST /v1/streams/batch` with `{streams: [{stream, expectedVersion, events}]}`: every expected
///   version is checked first, and all streams are written or none is.
/// The actor and source come from the token and the connection, the reason from `X-Reason`.
/// An expected version that does not hold is 409 `version-conflict` with `currentVersion`.
///
/// With a key ring, the known integration types that carry personal data (`IntegrationEvents`,
/// e.g. `ExternalInteractionRecorded`) are sealed like domain events before they are appended
/// (sealing is deterministic, so a retry is still recognised); an erased subject refuses them
/// (410 `subject-erased`). Other `ext-` types are the integration's own and stored as sent.
///
/// Reads show events as the log stores them: personal values are the placeholder `(sealed)`
/// and the ciphertext is `sealed.ciphertextBase64`; no route of the raw log opens them.
struct StreamRoutes {
    typealias Context = CRMRequestContext
    let store: EventStore
    /// Seals integration events' personal data when it has a key ring (`protection`).
    var registry: EventRegistry = .domain

    /// The largest append body accepted.
    static let maxBodyBytes = 4 << 20

    func add(to router: Router<Context>) {
        router.get("/v1/streams/{stream}", use: summary)
        router.get("/v1/streams/{stream}/events", use: events)
        router.post("/v1/streams/{stream}/events", use: append)
        router.post("/v1/streams/batch", use: appendBatch)
    }

    /// The answer for one stream of an append.
    struct AppendBody: Codable, Equatable {
        var stream: String
        var streamVersion: UInt64
        var positions: [UInt64]
        var wasAlreadyStored: Bool
    }

    /// The answer of a batch, streams in request order.
    struct BatchBody: Codable, Equatable {
        var streams: [AppendBody]
    }

    @Sendable func append(_ request: Request, context: Context) async throws -> LogAnswer {
        let stream = try context.pathIdentifier("stream")
        try IntegrationAppend.checkStream(stream)
        let body = try await CommandRoutes.members(of: request, limit: Self.maxBodyBytes)
        var problems: [APIError.FieldProblem] = []
        let parsed = IntegrationAppend.parse(.object(body), stream: stream, at: "", problems: &problems)
        guard let parsed, problems.isEmpty else { throw APIError.validationFailed(problems) }
        let results = try await appendAll([parsed.append], request: request, context: context)
        guard let result = results.first else { throw APIError(.internalError, "the append returned no result") }
        var answer = try LogAnswer(position: result.positions.last ?? store.head().position, encoding: Self.body(result))
        answer.status = result.wasAlreadyStored ? .ok : .created
        return answer
    }

    @Sendable func appendBatch(_ request: Request, context: Context) async throws -> LogAnswer {
        let body = try await CommandRoutes.members(of: request, limit: Self.maxBodyBytes)
        var problems: [APIError.FieldProblem] = body.keys.sorted().filter { $0 != "streams" }.map { .init(field: $0, reason: "unknown field") }
        guard case .array(let items)? = body["streams"], !items.isEmpty, items.count <= IntegrationAppend.maxStreams else {
            throw APIError.validationFailed(problems + [.init(field: "streams", reason: "required: 1 to \(IntegrationAppend.maxStreams) streams")])
        }
        var appends: [StreamAppend] = []
        for (index, item) in items.enumerated() {
            guard case .string(let stream)? = item["stream"], !stream.isEmpty else {
                problems.append(.init(field: "streams[\(index)].stream", reason: "required: a stream name"))
                continue
            }
            try IntegrationAppend.checkStream(stream)
            if let parsed = IntegrationAppend.parse(item, stream: stream, at: "streams[\(index)]", problems: &problems) {
                appends.append(parsed.append)
            }
        }
        guard problems.isEmpty else { throw APIError.validationFailed(problems) }
        let results = try await appendAll(appends, request: request, context: context)
        let stored = results.allSatisfy(\.wasAlreadyStored)
        var answer = try LogAnswer(position: results.compactMap(\.positions.last).max() ?? store.head().position,
                                   encoding: BatchBody(streams: results.map(Self.body)))
        answer.status = stored ? .ok : .created
        return answer
    }

    /// Appends atomically with the request's metadata; a failed expected version is 409
    /// `version-conflict` naming the stream and its version.
    private func appendAll(_ appends: [StreamAppend], request: Request, context: Context) async throws -> [AppendResult] {
        let headers = try CommandHeaders(request.headers)
        guard let metadata = context.appendMetadata(reason: headers.reason) else {
            throw APIError(.unauthenticated, "this route needs a bearer token")
        }
        let sealed = try await seal(appends)
        do {
            return try await store.append(sealed, metadata: metadata)
        } catch EventStoreError.wrongExpectedVersion(let stream, let expected, let actual) {
            throw APIError.versionConflict(stream: stream, expected: expected.description, current: actual)
        }
    }

    /// `appends` with the personal data of known integration types sealed, when the registry
    /// protects personal data; as they are otherwise.
    private func seal(_ appends: [StreamAppend]) async throws -> [StreamAppend] {
        guard let protection = registry.protection,
              appends.contains(where: { $0.events.contains { IntegrationEvents.isIntegrationType($0.type) } }) else { return appends }
        return try await offload {
            try appends.map { append in
                var append = append
                for index in append.events.indices where IntegrationEvents.isIntegrationType(append.events[index].type) {
                    let event = append.events[index]
                    let (data, sealed) = try protection.seal(type: event.type, data: event.data, eventId: event.id)
                    append.events[index].data = data
                    append.events[index].sealed = sealed
                }
                return append
            }
        }
    }

    private static func body(_ result: AppendResult) -> AppendBody {
        AppendBody(stream: result.stream, streamVersion: result.streamVersion, positions: result.positions,
                   wasAlreadyStored: result.wasAlreadyStored)
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
