import EventStore
import Synchronization

/// Runs at most one chain verification at a time: a request arriving while one runs waits for
/// that one and gets its report, so a burst of `GET /v1/audit/verify` costs one pass over the
/// log, not one per request (each pass reads every event and hashes it on a worker thread).
///
/// The shared report says which range it checked (`from`, `to`), so a caller can tell it ended
/// at a head slightly before its own request.
final class VerificationRunner: Sendable {
    /// What one verification found: the report, the signed checkpoints stored when it started,
    /// and how long it took.
    struct Outcome: Sendable {
        var report: VerificationReport
        var checkpoints: [SignedCheckpoint]
        var duration: Duration
    }

    private let store: EventStore
    private let running = Mutex<Task<Outcome, any Error>?>(nil)

    /// A runner verifying `store`.
    init(store: EventStore) {
        self.store = store
    }

    /// The outcome of the verification in progress, or of a new one when none is.
    func verify() async throws -> Outcome {
        let store = store
        let task = running.withLock { current in
            if let current { return current }
            let task = Task {
                let clock = ContinuousClock()
                let started = clock.now
                // The checkpoints are read first, so the last one is among those the verification checks.
                let (checkpoints, report) = try await offload { () throws -> ([SignedCheckpoint], VerificationReport) in
                    let checkpoints = try store.checkpoints()
                    return (checkpoints, try store.verify())
                }
                return Outcome(report: report, checkpoints: checkpoints, duration: clock.now - started)
            }
            current = task
            return task
        }
        defer { running.withLock { current in if current == task { current = nil } } }
        return try await task.value
    }
}
