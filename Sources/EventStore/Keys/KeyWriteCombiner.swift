import Dispatch
import Synchronization

/// Lets concurrent commands that need new data keys share one synced transaction of the keys
/// environment, as the log's group commit lets concurrent appends share one sync.
///
/// Links of new contacts, and new batches of keys when the pool runs dry, must be on disk before
/// the events that need them are appended. Waiting callers are suspended, not blocked (a blocked caller would hold one of the few threads
/// of Swift's cooperative pool, so at most one or two demands could ever meet); the writes run on
/// a serial queue of their own, each taking every demand that arrived during the one before.
final class KeyWriteCombiner: Sendable {
    /// What one caller needs written: `links` (owned → owner), and `keys` more keys in the pool.
    struct Demand: Sendable {
        var links: [String: String]
        var keys: Int
    }

    typealias Outcome = Result<Void, KeyRingError>

    private struct Waiting {
        let demand: Demand
        let continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "crm.keys.writer")
    /// Answers a list of demands, in order, with one transaction.
    private let write: @Sendable ([Demand]) -> [Outcome]

    init(write: @escaping @Sendable ([Demand]) -> [Outcome]) {
        self.write = write
    }

    /// Writes `demand` together with every demand waiting at the same time.
    func submit(_ demand: Demand) async throws(KeyRingError) {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let start = state.withLock { state in
                state.waiting.append(Waiting(demand: demand, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
        return try outcome.get()
    }

    private func drain() {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                defer { state.waiting.removeAll(keepingCapacity: true) }
                if state.waiting.isEmpty { state.draining = false }
                return state.waiting
            }
            guard !batch.isEmpty else { return }
            let outcomes = write(batch.map(\.demand))
            for (waiting, outcome) in zip(batch, outcomes) { waiting.continuation.resume(returning: outcome) }
        }
    }
}
