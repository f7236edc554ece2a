import EventStore
import Hummingbird
import Projections

/// Read models: their status and rebuilds, and the freshness rules (`read`) every query route
/// (`QueryRoutes`) answers with.
///
/// - `GET /v1/projections`, `GET /v1/projections/{name}`: status of every projector or one.
/// - `POST /v1/projections/{name}/rebuild`: rebuilds from position 1 in a shadow generation while
///   the current one serves; answers 202 with the status.
/// - `read`: `minPosition` waits (at most `freshnessTimeout`) until the read model reflects that log
///   position — read-your-writes after a command — else 503 (400 at once beyond the log head); `asOf` (a log position, or an
///   ISO-8601 time) answers from the read model as it was then.
struct ProjectionRoutes<Context: RequestContext> {
    let engine: ProjectionEngine
    var freshnessTimeout: Duration = .seconds(2)

    func add(to router: Router<Context>) {
        router.get("/v1/projections", use: list)
        router.get("/v1/projections/{name}", use: one)
        router.post("/v1/projections/{name}/rebuild", use: rebuild)
    }

    @Sendable func list(_ request: Request, context: Context) throws -> LogAnswer {
        let statuses = engine.status()
        return try LogAnswer(position: engine.store.headWatch.head, encoding: ["projectors": statuses])
    }

    @Sendable func one(_ request: Request, context: Context) throws -> LogAnswer {
        let name = try context.parameters.require("name")
        return try LogAnswer(position: engine.store.headWatch.head, encoding: try mapped { try engine.status(of: name) })
    }

    @Sendable func rebuild(_ request: Request, context: Context) throws -> LogAnswer {
        let name = try context.parameters.require("name")
        try mapped { try engine.rebuild(name) }
        var answer = try LogAnswer(position: engine.store.headWatch.head, encoding: try mapped { try engine.status(of: name) })
        answer.status = .accepted
        return answer
    }

    /// Runs `body` on the live read model (after waiting for `minPosition`) or on an as-of
    /// snapshot (`asOf`).
    func read<T: Sendable>(_ name: String, query: QueryParameters, _ body: @escaping @Sendable (ReadModelReader) throws -> T) async throws -> T {
        let engine = engine
        let minPosition = try query.position("minPosition")
        let asOf = try asOfPosition(query)
        if minPosition != nil, asOf != nil {
            throw APIError.invalidParameter("asOf", "asOf and minPosition cannot be combined")
        }
        if let asOf {
            let snapshot = try await mappedAsync { try await engine.asOf(name, position: asOf) }
            return try await offload { try snapshot.read(body) }
        }
        if let minPosition {
            // The head moves before a write is answered, so no answer of this server named a
            // position beyond it: waiting for one would only end in a 503 that retrying cannot fix.
            let head = engine.store.headWatch.head
            guard minPosition <= head else {
                throw APIError.invalidParameter("minPosition", "position \(minPosition) is beyond the log head \(head)")
            }
            let reached = try await mappedAsync { try await engine.waitUntil(name, reflects: minPosition, timeout: freshnessTimeout) }
            guard reached >= minPosition else {
                throw APIError(.unavailable, "\(name) reflects position \(reached), not yet \(minPosition); retry shortly")
            }
        }
        return try await offload { try engine.read(name, body) }
    }

    /// `asOf` as a log position: a number is a position; a time is the last position recorded by then.
    func asOfPosition(_ query: QueryParameters) throws -> UInt64? {
        if let position = try? query.position("asOf") { return position }
        guard let time = try query.timestamp("asOf") else { return nil }
        return try engine.position(at: time)
    }

    private func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ProjectionError { throw APIError(projection: error) }
    }

    private func mappedAsync<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as ProjectionError { throw APIError(projection: error) }
    }
}

extension APIError {
    /// The HTTP meaning of a read-model failure.
    init(projection error: ProjectionError) {
        switch error {
        case .unknownProjector(let name): self.init(.notFound, "no read model named \(name)")
        case .positionOutOfRange(let requested, let head):
            self.init(.invalidParameter, "position \(requested) is beyond the log head \(head)", parameter: "asOf")
        case .notYetReflected, .parked: self.init(.unavailable, error.description)
        default: self.init(.internalError, error.description)
        }
    }
}
