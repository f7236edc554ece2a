import EventStore
import Hummingbird
import HTTPTypes
import Projections

/// Readiness and metrics, for orchestrators and monitoring.
///
/// - `GET /ready` (public): 200 when the log can be read and every projector is within
///   `ServerConfiguration.readiness`, else 503; both carry the `Readiness` document, which lists
///   the projectors outside the bound. `/health` stays plain liveness.
/// - `GET /metrics` (`metrics.read`): the Prometheus text exposition of `ServerMetrics`, the
///   projector gauges refreshed from `ProjectionEngine.status()` at each scrape.
struct OperationsRoutes {
    let dependencies: APIDependencies
    let metrics: ServerMetrics

    func add(to router: Router<CRMRequestContext>) {
        router.get("/ready", use: ready)
        router.get("/metrics", use: scrape)
    }

    @Sendable func ready(_ request: Request, context: CRMRequestContext) throws -> LogAnswer {
        let head = try? dependencies.store.head().position
        let statuses = dependencies.projections?.status() ?? []
        let readiness = Readiness(head: head, projectors: statuses, bound: dependencies.configuration.readiness)
        var answer = try LogAnswer(position: head ?? 0, encoding: readiness)
        answer.status = readiness.isReady ? .ok : .serviceUnavailable
        return answer
    }

    @Sendable func scrape(_ request: Request, context: CRMRequestContext) throws -> Response {
        let head = try dependencies.store.head().position
        if let projections = dependencies.projections {
            metrics.update(projectors: projections.status(), bound: dependencies.configuration.readiness)
        }
        let body = metrics.exposition()
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        headers[.contentLength] = String(body.count)
        headers[.logPosition] = String(head)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
