import Logging
import Projections
import ServiceLifecycle

/// Runs every projector while the application runs.
///
/// Listed after `EventStoreService`, so on graceful shutdown it stops before the store closes.
/// Stopping loses nothing: each batch commits its read-model changes and checkpoint together, so
/// the checkpoint on disk is always the last batch applied.
struct ProjectionService: Service {
    let engine: ProjectionEngine
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await engine.run()
        }
        logger.info("projectors stopped", metadata: ["checkpoints": "\(engine.status().map { "\($0.name)@\($0.checkpoint)" }.joined(separator: " "))"])
    }
}
