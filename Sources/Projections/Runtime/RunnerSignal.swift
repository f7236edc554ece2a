import Dispatch
import Synchronization

/// What a live projector's thread sleeps on between batches: a commit to the log, a wake-up (a
/// rebuild was asked for), or the request to stop.
///
/// Why: a runner used to wait in a task, racing the log head's watch against its wake-ups in a
/// task group, and then hop to its thread for the next step: per batch and projector two child
/// tasks, a cancellation thrown into the loser, and two thread hops, at up to a thousand commits a
/// second times nine projectors, all on the two threads that also serve every request. Sleeping
/// on its own thread costs a semaphore wait, and a commit costs the writer one `ring` per runner.
final class RunnerSignal: Sendable {
    private struct State {
        var rings: UInt64 = 0
        var sleeping = false
        var stopped = false
    }

    private let state = Mutex(State())
    /// Signalled only by a `ring` that found the thread sleeping, so its count is 0 or 1.
    private let semaphore = DispatchSemaphore(value: 0)

    /// How many times the signal rang: read it before looking for work, and pass it to `wait`,
    /// so that a ring in between is not slept through.
    var rings: UInt64 { state.withLock { $0.rings } }

    /// Whether `stop` was called.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Wakes the thread if it sleeps, and makes its next `wait` for the current count return at once.
    func ring() {
        let sleeping = state.withLock { state -> Bool in
            state.rings &+= 1
            defer { state.sleeping = false }
            return state.sleeping
        }
        if sleeping { semaphore.signal() }
    }

    /// Rings for good: the runner's loop ends at its next check.
    func stop() {
        state.withLock { $0.stopped = true }
        ring()
    }

    /// Blocks the calling thread until the signal rings after `seen` rings (at once if it already
    /// has), or until `deadline`.
    func wait(after seen: UInt64, deadline: DispatchTime = .distantFuture) {
        let sleeps = state.withLock { state -> Bool in
            guard state.rings == seen, !state.stopped else { return false }
            state.sleeping = true
            return true
        }
        guard sleeps, semaphore.wait(timeout: deadline) == .timedOut else { return }
        // A ring between the timeout and this point has signalled, or is about to: take that
        // signal, so that the count is back to 0 for the next wait.
        let rang = state.withLock { state -> Bool in
            defer { state.sleeping = false }
            return !state.sleeping
        }
        if rang { semaphore.wait() }
    }
}
