/// Runs one erasure at a time.
///
/// `SubjectErasure.erase` checks that a subject is not erased yet, destroys its keys, then
/// appends `SubjectErased`; two concurrent requests for the same subject could both pass the
/// check and both append. Erasures are rare administrative acts, so serialising all of them
/// costs nothing and makes the second request see the first one's tombstone (410).
actor ErasureGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `work` when no other erasure runs, in arrival order.
    func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer { release() }
        return try await work()
    }

    /// Hands the gate to the next waiter, or opens it.
    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
