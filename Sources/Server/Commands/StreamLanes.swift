import Synchronization

/// One lane per stream: the commands of this process on the same stream run one after the other
/// (load, decide, append, acknowledged), commands on different streams side by side.
///
/// Why: a command decides against the stream's version and appends with that version expected.
/// Two concurrent commands on one customer both decided against version *v*; the group commit
/// took both, the second failed its expected-version check, and was decided and appended again
/// — another round of the command path and another group commit, and after five such losses the
/// caller got 409 `concurrency-conflict` (under 64 connections on 123 customers, a few dozen per
/// 40,000 commands). In its lane the second command waits for the first one's acknowledgement
/// instead, and then decides against the version that one left: the same wait, without the
/// wasted round. Appends still name the version they expect, so writers outside the lanes
/// (multi-stream commands, integrations) are caught as before.
///
/// Waiters are served in arrival order; a lane exists only while a command holds it.
final class StreamLanes: Sendable {
    private struct Lane {
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let lanes = Mutex<[String: Lane]>([:])

    /// Runs `body` once every earlier command in `stream`'s lane has finished.
    func run<T>(_ stream: String, _ body: () async throws -> T) async throws -> T {
        await enter(stream)
        defer { leave(stream) }
        return try await body()
    }

    /// How many streams have a command running (tests, diagnostics).
    var busyCount: Int { lanes.withLock { $0.count } }

    private func enter(_ stream: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = lanes.withLock { lanes -> Bool in
                if lanes[stream] == nil {
                    lanes[stream] = Lane()
                    return true
                }
                lanes[stream]!.waiters.append(continuation)
                return false
            }
            if free { continuation.resume() }
        }
    }

    /// Hands the lane to its next waiter, or frees it.
    private func leave(_ stream: String) {
        let next = lanes.withLock { lanes -> CheckedContinuation<Void, Never>? in
            guard let waiting = lanes[stream]?.waiters.count, waiting > 0 else {
                lanes[stream] = nil
                return nil
            }
            return lanes[stream]!.waiters.removeFirst()
        }
        next?.resume()
    }
}
