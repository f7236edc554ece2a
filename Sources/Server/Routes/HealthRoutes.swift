import EventStore
import Hummingbird

/// `GET /health`: liveness. Answers 200 while the process serves requests and can read the log.
struct HealthRoutes<Context: RequestContext> {
    let store: EventStore

    func add(to router: Router<Context>) {
        router.get("/health", use: health)
    }

    struct Body: Codable, Equatable {
        var status: String
        var logPosition: UInt64
    }

    @Sendable func health(_ request: Request, context: Context) throws -> LogAnswer {
        let head = try store.head()
        return try LogAnswer(position: head.position, encoding: Body(status: "live", logPosition: head.position))
    }
}
