import Synchronization

/// Counts the requests being served and refuses one beyond the limit (`ConcurrencyLimitMiddleware`).
///
/// A counter rather than a queue: a client told 429 with `Retry-After` backs off, where a queue
/// would let latency grow without bound under overload.
final class RequestGate: Sendable {
    let limit: Int
    private let inFlight = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot; false (taking nothing) when all `limit` slots are in use.
    func enter() -> Bool {
        let (_, now) = inFlight.add(1, ordering: .acquiringAndReleasing)
        if now > limit {
            inFlight.subtract(1, ordering: .acquiringAndReleasing)
            return false
        }
        return true
    }

    /// Gives a slot back.
    func leave() {
        inFlight.subtract(1, ordering: .acquiringAndReleasing)
    }

    /// Slots in use now.
    var current: Int { inFlight.load(ordering: .relaxed) }
}
