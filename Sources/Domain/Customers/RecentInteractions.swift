/// The ids of a customer's most recent interactions, so that an interaction a channel integration
/// sends twice (a CTI system, an e-mail gateway re-delivering) is refused rather than logged twice.
///
/// Bounded on purpose. The customer aggregate stays cached for as long as the customer is busy, and
/// an exact set of every interaction id ever logged grew with the customer's whole history: the
/// one-hour soak drill (RELIABILITY.md) measured the server's heap rising by ~30 MB an hour, ~240
/// bytes per interaction. Re-sends come within minutes, so the last `limit` ids cover them; an
/// HTTP retry with an `Idempotency-Key` is recognised by the log itself, however late it comes.
///
/// Kept as a ring of small chunks searched linearly, not as a `Set` beside a ring: a customer's
/// state is shared by the aggregate cache and the command deciding on it, so logging one
/// interaction copied the whole set and ring (256 ids, each retained and later released) for
/// every command; now it copies one chunk of 16 and the list of chunks. Searching 256 ids is a
/// few hundred length checks, most of them unequal at once.
public struct RecentInteractions: Equatable, Sendable {
    /// How many of the latest interaction ids are remembered.
    public static let limit = 256
    /// Ids per chunk: what one insertion copies.
    private static let chunkSize = 16

    /// The remembered ids in insertion order, `chunkSize` per chunk; once full, the oldest id is
    /// at `oldest` and the next one overwrites it.
    private var chunks: [[String]] = []
    private var oldest = 0
    /// Number of remembered ids.
    public private(set) var count = 0

    public init() {}

    /// Whether `id` is one of the remembered ids.
    public func contains(_ id: String) -> Bool {
        chunks.contains { $0.contains(id) }
    }

    /// Remembers `id`, forgetting the oldest id when `limit` are remembered.
    public mutating func insert(_ id: String) {
        guard !contains(id) else { return }
        if count < Self.limit {
            if count % Self.chunkSize == 0 {
                chunks.append([])
                chunks[chunks.count - 1].reserveCapacity(Self.chunkSize)
            }
            chunks[chunks.count - 1].append(id)
            count += 1
        } else {
            chunks[oldest / Self.chunkSize][oldest % Self.chunkSize] = id
            oldest = (oldest + 1) % Self.limit
        }
    }
}
