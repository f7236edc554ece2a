import EventStore
import Synchronization

/// The token records `TokenStore.verify` has read, kept so that a request does not open an LMDB
/// read transaction and decode a JSON record to authenticate (8 % of a customer 360 read's CPU
/// under load, BENCHMARKS.md).
///
/// What is kept is what the store holds — the salt, the salted hash, the principal, the revocation
/// and expiry times — never a secret: every verification still hashes the presented secret with
/// the salt and compares in constant time, so a cached entry proves nothing by itself.
///
/// An entry is used only while the token environment's last committed transaction is the one
/// that was current when the record was read (`KeyValueStore.lastCommittedTransaction`): any
/// commit to the token store, by this process or another (`crm token revoke`, `crm token create`),
/// drops every entry, so a revocation applies to the next request exactly as without the cache.
/// As a second bound, an entry older than `maxAge` milliseconds (by the store's clock) is read
/// again. Unknown ids are never cached (a caller cannot fill the cache with guesses); at most
/// `capacity` entries are kept, and a full cache starts over.
final class VerifiedTokenCache: Sendable {
    /// What the store says about one token, as of transaction `transaction`.
    struct Entry: Sendable {
        var salt: [UInt8]
        var secretHash: SHA256Digest
        var principal: Principal
        var revokedAt: Int64?
        var expiresAt: Int64?
        /// The token environment's last committed transaction when the record was read.
        var transaction: Int
        /// When the record was read (the store's clock, ms).
        var readAt: Int64
    }

    /// Entries older than this (ms) are read again even when nothing was committed.
    let maxAge: Int64
    /// The most entries kept.
    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(maxAge: Int64 = 30_000, capacity: Int = 4096) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// The entry of token `id` if it was read at `transaction` (the environment's current last
    /// commit) and is younger than `maxAge` at `now`.
    func entry(_ id: String, transaction: Int, now: Int64) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[id] else { return nil }
            guard entry.transaction == transaction, now - entry.readAt < maxAge, now >= entry.readAt else {
                entries[id] = nil
                return nil
            }
            return entry
        }
    }

    /// Keeps `entry` under `id`.
    func store(_ id: String, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[id] = entry
        }
    }

    /// How many entries are kept (for tests).
    var count: Int { entries.withLock { $0.count } }
}
