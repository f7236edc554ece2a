import EventStore
import ServiceLifecycle

/// Why a feed that has caught up with the log stopped waiting.
enum FeedWake: Sendable, Equatable {
    /// The log grew past the position waited for.
    case advanced
    /// The heartbeat interval passed without a new event.
    case heartbeat
    /// The store is closing, the server is shutting down gracefully, or the request's task was
    /// cancelled: the feed ends.
    case finished

    /// Waits until the log head passes `position`, `heartbeat` passes, or the feed must end,
    /// whichever comes first; the other waits are cancelled before returning, so nothing is left
    /// running.
    static func wait(on watch: PositionWatch, beyond position: UInt64, heartbeat: Duration) async -> FeedWake {
        await withTaskGroup(of: FeedWake?.self) { group in
            group.addTask {
                do { return try await watch.wait(beyond: position) ? .advanced : .finished } catch { return nil }
            }
            group.addTask {
                do { try await Task.sleep(for: heartbeat); return .heartbeat } catch { return nil }
            }
            group.addTask {
                // Outside a service group this only ends when cancelled, which returns nil.
                do { try await gracefulShutdown(); return .finished } catch { return nil }
            }
            defer { group.cancelAll() }
            while let result = await group.next() {
                if let result { return result }
                // A child ended by cancellation: only happens when the request's task is cancelled.
                if Task.isCancelled { return .finished }
            }
            return .finished
        }
    }
}
