import EventStore
import Hummingbird

/// `GET /v1/stats`: the store's sizes and counters (`StoreStatistics`).
struct StatsRoutes<Context: RequestContext> {
    let store: EventStore

    func add(to router: Router<Context>) {
        router.get("/v1/stats", use: stats)
    }

    @Sendable func stats(_ request: Request, context: Context) throws -> LogAnswer {
        let statistics = try store.statistics()
        return try LogAnswer(position: statistics.headPosition, encoding: statistics)
    }
}
