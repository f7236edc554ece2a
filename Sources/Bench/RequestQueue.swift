import Dispatch
import Synchronization

/// The hand-off between async callers and a subject's dedicated thread.
///
/// Callers `submit` and suspend on a continuation inside the request; the thread takes everything
/// queued since it last looked with `next()`. The bare LMDB baseline commits each batch it takes in
/// one transaction (group commit, like the EventStore's writer); the SQLite peer runs them one
/// transaction each. Both get the same queueing cost, so that cost cancels out of the ratios.
final class RequestQueue<Request: Sendable>: Sendable {
    private struct State {
        var requests: [Request] = []
        var stopping = false
    }

    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)

    /// Queues `request`; false (and nothing queued) once `stop()` was called.
    func submit(_ request: Request) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.requests.append(request)
            return true
        }
        if accepted { wakeUp.signal() }
        return accepted
    }

    /// Blocks until at least one request is queued and returns all queued requests, oldest first;
    /// nil once `stop()` was called and the queue is drained.
    func next() -> [Request]? {
        while true {
            let (taken, stopping) = state.withLock { state in
                let taken = state.requests
                state.requests = []
                return (taken, state.stopping)
            }
            if !taken.isEmpty { return taken }
            if stopping { return nil }
            wakeUp.wait()
        }
    }

    /// Refuses new requests; `next()` returns what is still queued, then nil.
    func stop() {
        state.withLock { $0.stopping = true }
        wakeUp.signal()
    }
}
