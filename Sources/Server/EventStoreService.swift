import Dispatch
import EventStore
import Logging
import ServiceLifecycle

/// Keeps the event store open while the application runs and closes it on graceful shutdown.
///
/// Added to the application's services before the HTTP server, so the service group shuts it
/// down only after the server has stopped accepting and answering requests: the store closes
/// (finishing queued appends and signing its final checkpoint) once nothing can use it any more.
struct EventStoreService: Service {
    let store: EventStore
    let logger: Logger

    func run() async throws {
        // Ends on graceful shutdown, or with a CancellationError when the group is cancelled
        // (for example because the server could not bind): the store is closed either way.
        try? await gracefulShutdown()
        // `close()` joins the writer thread; wait for it off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                store.close()
                continuation.resume()
            }
        }
        logger.info("event store closed", metadata: ["directory": "\(store.directory)"])
    }
}
