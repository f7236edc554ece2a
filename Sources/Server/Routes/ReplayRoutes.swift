import EventStore
import Foundation
import Hummingbird
import Projections
import Synchronization

/// Analysts' what-if: replay the log into a scratch state-cycle read model under other rules and
/// compare its transitions with the live ones, without touching the live read model.
///
/// - `GET /v1/analytics/state-cycle/rules` (`analytics.read`): the live rule set, the starting
///   point for a variant.
/// - `POST /v1/analytics/state-cycle/replays` (`projections.rebuild`): body
///   `StateCycleReplayRequest`; answers `StateCycleReplayAnswer` once the replay has finished.
///   One replay runs at a time (409 `conflict` while one runs): each folds the log on its own and
///   the scratch directory of a name is replaced, so two at once would only slow each other.
///   The same replay is `crm replay` on the command line.
struct ReplayRoutes {
    let dependencies: APIDependencies
    let running = Running()

    /// Whether a replay is in progress; shared by every request of the application.
    final class Running: Sendable {
        let flag = Atomic<Bool>(false)
    }

    func add(to router: Router<CRMRequestContext>) {
        router.get("/v1/analytics/state-cycle/rules", use: rules)
        router.post("/v1/analytics/state-cycle/replays", use: replay)
    }

    @Sendable func rules(_ request: Request, context: CRMRequestContext) throws -> LogAnswer {
        let engine = try self.engine()
        let rules = try offloadedRead(engine) { try StateCycleQueries.rules($0) }
        return try LogAnswer(position: dependencies.store.headWatch.head, encoding: rules)
    }

    @Sendable func replay(_ request: Request, context: CRMRequestContext) async throws -> LogAnswer {
        let engine = try self.engine()
        let buffer = try await request.body.collect(upTo: dependencies.configuration.maxBodyBytes)
        let body: StateCycleReplayRequest
        do {
            body = try JSONDecoder().decode(StateCycleReplayRequest.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.validationFailed([.init(field: "body", reason: "must be {name, rules, from?, through?, periodFrom?, periodTo?}: \(error)")])
        }
        guard !body.name.isEmpty, body.name.count <= 64,
              body.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw APIError.validationFailed([.init(field: "name", reason: "must be 1–64 letters, digits, - or _")])
        }
        let head = dependencies.store.headWatch.head
        let from = max(body.from ?? 1, 1)
        let through = min(body.through ?? head, head)
        guard from <= through else {
            throw APIError.validationFailed([.init(field: "from", reason: "position \(from) is after the last replayed position \(through)")])
        }
        let periodStart = try Self.time(body.periodFrom, "periodFrom") ?? 0
        let periodEnd = try Self.time(body.periodTo, "periodTo") ?? Int64.max / 2
        guard periodStart < periodEnd else {
            throw APIError.validationFailed([.init(field: "periodTo", reason: "must be after periodFrom")])
        }
        guard running.flag.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw APIError(.conflict, "a state-cycle replay is already running; retry when it has finished")
        }
        defer { running.flag.store(false, ordering: .releasing) }

        let scratch: ProjectionGeneration
        do {
            scratch = try await engine.replay(StateCycleProjector(rules: body.rules), as: body.name, from: from, through: through)
        } catch let error as ProjectionError {
            throw APIError(projection: error)
        }
        let liveReport = try offloadedRead(engine) { try StateCycleQueries.transitions($0, from: periodStart, to: periodEnd) }
        let replayReport = try scratch.read { try StateCycleQueries.transitions($0, from: periodStart, to: periodEnd) }
        return try LogAnswer(position: head, encoding: StateCycleReplayAnswer(
            name: body.name, liveRulesVersion: StateCycleRules.standard.version, replayRulesVersion: body.rules.version,
            from: from, through: through, live: liveReport, replay: replayReport))
    }

    private func engine() throws -> ProjectionEngine {
        guard let engine = dependencies.projections else {
            throw APIError(.unavailable, "this server runs without read models")
        }
        return engine
    }

    private func offloadedRead<T>(_ engine: ProjectionEngine, _ body: (ReadModelReader) throws -> T) throws -> T {
        do { return try engine.read(StateCycleProjector().name, body) } catch let error as ProjectionError { throw APIError(projection: error) }
    }

    /// An ISO-8601 date or time in ms since the epoch; nil when absent.
    private static func time(_ text: String?, _ field: String) throws -> Int64? {
        guard let text else { return nil }
        guard let time = ISO8601Timestamp.milliseconds(from: text) else {
            throw APIError.validationFailed([.init(field: field, reason: "must be an ISO-8601 date or time, not '\(text)'")])
        }
        return time
    }
}
