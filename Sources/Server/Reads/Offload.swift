import Dispatch

/// Runs blocking work (a whole-log verification) on a Dispatch worker instead of a thread of
/// Swift's cooperative pool, which has only as many threads as cores.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
