import Synchronization

/// Lets tasks sleep until a monotonic log position passes a value, without polling and without
/// holding a read transaction: the log's head (subscribers) and each projector's checkpoint
/// (read-your-writes queries) are published through one.
///
/// The owner calls `advance(to:)` after each durable commit; `wait(beyond:)` returns as soon as
/// the position is past the given one, or throws `CancellationError` when the waiting task is
/// cancelled, or returns false once the watch is closed.
public final class PositionWatch: Sendable {
    private struct Waiter {
        let position: UInt64
        let continuation: CheckedContinuation<Bool, any Error>
    }

    private struct State {
        var head: UInt64
        var closed = false
        var nextId = 0
        var waiters: [Int: Waiter] = [:]
    }

    private let state: Mutex<State>

    public init(head: UInt64) {
        state = Mutex(State(head: head))
    }

    /// The last published position.
    public var head: UInt64 { state.withLock { $0.head } }

    /// Publishes a new head and wakes every waiter it satisfies.
    public func advance(to head: UInt64) {
        let ready: [CheckedContinuation<Bool, any Error>] = state.withLock { state in
            state.head = max(state.head, head)
            var ready: [CheckedContinuation<Bool, any Error>] = []
            for (id, waiter) in state.waiters where waiter.position < state.head {
                ready.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return ready
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    /// Wakes everyone for good: the store is closing.
    public func close() {
        let all = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for continuation in all { continuation.resume(returning: false) }
    }

    /// Suspends until the head is beyond `position`. Returns false if the store closed.
    public func wait(beyond position: UInt64) async throws -> Bool {
        let id = state.withLock { state -> Int in
            state.nextId += 1
            return state.nextId
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                enum Action { case resume(Bool), cancel, wait }
                let action = state.withLock { state -> Action in
                    if state.closed { return .resume(false) }
                    if state.head > position { return .resume(true) }
                    if Task.isCancelled { return .cancel }
                    state.waiters[id] = Waiter(position: position, continuation: continuation)
                    return .wait
                }
                switch action {
                case .resume(let value): continuation.resume(returning: value)
                case .cancel: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
