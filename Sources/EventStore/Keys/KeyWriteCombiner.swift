import Dispatch
import Synchronization

/// Lets concurrent commands that need new data keys share one synced transaction of the keys
/// environment, as the log's group commit lets concurrent appends share one sync.
///
/// A new subject's key must be on disk before an event sealed with it is appended, so every
/// registration of a new customer costs a synced commit of `<data>/keys` on top of the log's.
/// Waiting callers are suspended, not blocked (a blocked caller would hold one of the few threads
/// of Swift's cooperative pool, so at most one or two demands could ever meet); the writes run on
/// a serial queue of their own, each taking every demand that arrived during the one before.
final class KeyWriteCombiner: Sendable {
    /// What one caller needs: keys for `subjects`, and `links` (owned → owner) recorded.
    struct Demand: Sendable {
        var subjects: [String]
        var links: [String: String]
    }

    typealias Outcome = Result<[String: DataKey], KeyRingError>

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

    /// The keys for `demand`, written together with every demand waiting at the same time.
    func submit(_ demand: Demand) async throws(KeyRingError) -> [String: DataKey] {
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
