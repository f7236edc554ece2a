/// The ids of a customer's most recent interactions, so that an interaction a channel integration
/// sends twice (a CTI system, an e-mail gateway re-delivering) is refused rather than logged twice.
///
/// Bounded on purpose. The customer aggregate stays cached for as long as the customer is busy, and
/// an exact set of every interaction id ever logged grew with the customer's whole history: the
/// one-hour soak drill (RELIABILITY.md) measured the server's heap rising by ~30 MB an hour, ~240
/// bytes per interaction. Re-sends come within minutes, so the last `limit` ids cover them; an
/// HTTP retry with an `Idempotency-Key` is recognised by the log itself, however late it comes.
public struct RecentInteractions: Equatable, Sendable {
    /// How many of the latest interaction ids are remembered.
    public static let limit = 256

    private var members: Set<String> = []
    /// The remembered ids, oldest at `oldest` once the ring is full.
    private var ring: [String] = []
    private var oldest = 0

    public init() {}

    /// Whether `id` is one of the remembered ids.
    public func contains(_ id: String) -> Bool { members.contains(id) }

    /// Remembers `id`, forgetting the oldest id when `limit` are remembered.
    public mutating func insert(_ id: String) {
        guard members.insert(id).inserted else { return }
        if ring.count < Self.limit {
            ring.append(id)
        } else {
            members.remove(ring[oldest])
            ring[oldest] = id
            oldest = (oldest + 1) % Self.limit
        }
    }

    /// Number of remembered ids.
    public var count: Int { ring.count }
}
