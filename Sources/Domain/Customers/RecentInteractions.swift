/// The ids of a customer's most recent interactions, so that an interaction a channel integration
/// sends twice (a CTI system, an e-mail gateway re-delivering) is refused rather than logged twice.
///
/// Bounded on purpose. The customer aggregate stays cached for as long as the customer is busy, and
/// an exact set of every interaction id ever logged grew with the customer's whole history: the
/// one-hour soak drill (RELIABILITY.md) measured the server's heap rising by ~30 MB an hour, ~240
/// bytes per interaction. Re-sends come within minutes, so the last `limit` ids cover them; an
/// HTTP retry with an `Idempotency-Key` is recognised by the log itself, however late it comes.
///
/// Kept as a ring of small chunks, not as a `Set` beside a ring: a customer's state is shared by
/// the aggregate cache and the command deciding on it, so logging one interaction copied the whole
/// set and ring (256 ids, each retained and later released) for every command; now it copies one
/// chunk of 16 ids and a flat ring of their hash values (2 KiB, no references). A lookup compares
/// hash values first, so it compares strings only on a match, not 256 times (2 % of a logged
/// interaction's server CPU when it did).
public struct RecentInteractions: Equatable, Sendable {
    /// How many of the latest interaction ids are remembered.
    public static let limit = 256
    /// Ids per chunk: what one insertion copies.
    private static let chunkSize = 16

    /// The remembered ids in insertion order, `chunkSize` per chunk; once full, the oldest id is
    /// at `oldest` and the next one overwrites it.
    private var chunks: [[String]] = []
    /// `hashValue` of the id at the same index (this process's seed: never stored).
    private var hashes: [Int] = []
    private var oldest = 0
    /// Number of remembered ids.
    public private(set) var count = 0

    public init() {}

    /// Whether `id` is one of the remembered ids.
    public func contains(_ id: String) -> Bool {
        contains(id, hash: id.hashValue)
    }

    private func contains(_ id: String, hash: Int) -> Bool {
        for index in hashes.indices where hashes[index] == hash {
            if chunks[index / Self.chunkSize][index % Self.chunkSize] == id { return true }
        }
        return false
    }

    /// Remembers `id`, forgetting the oldest id when `limit` are remembered.
    public mutating func insert(_ id: String) {
        let hash = id.hashValue
        guard !contains(id, hash: hash) else { return }
        if count < Self.limit {
            if count % Self.chunkSize == 0 {
                chunks.append([])
                chunks[chunks.count - 1].reserveCapacity(Self.chunkSize)
            }
            chunks[chunks.count - 1].append(id)
            hashes.append(hash)
            count += 1
        } else {
            chunks[oldest / Self.chunkSize][oldest % Self.chunkSize] = id
            hashes[oldest] = hash
            oldest = (oldest + 1) % Self.limit
        }
    }
}
