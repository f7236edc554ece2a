import Synchronization

/// Counters the writer updates after each commit, read by `stats()` and, later, by `/metrics`.
final class WriterMetrics: Sendable {
    struct Snapshot: Sendable {
        var head: LogHead
        var commits: UInt64 = 0
        var committedRequests: UInt64 = 0
        var committedEvents: UInt64 = 0
        var largestGroup: Int = 0
    }

    private let state: Mutex<Snapshot>
    /// Called after every commit, outside the lock (`EventStore.observeCommits`).
    private let observers = Mutex<[@Sendable (CommitObservation) -> Void]>([])

    init(head: LogHead) { state = Mutex(Snapshot(head: head)) }

    func recordCommit(head: LogHead, requests: Int, events: Int) {
        state.withLock {
            $0.head = head
            $0.commits += 1
            $0.committedRequests += UInt64(requests)
            $0.committedEvents += UInt64(events)
            $0.largestGroup = max($0.largestGroup, requests)
        }
        let observation = CommitObservation(requests: requests, events: events)
        for observer in observers.withLock({ $0 }) { observer(observation) }
    }

    func addObserver(_ observer: @escaping @Sendable (CommitObservation) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    var snapshot: Snapshot { state.withLock { $0 } }
}
