import Projections
import Synchronization

/// The encoded answers of `GET /v1/customers/{id}`, kept so that a repeated read skips decoding
/// the read model and encoding the JSON (together a third of a read's CPU under load,
/// BENCHMARKS.md).
///
/// **What an answer is a function of**, and how each is checked before a kept one is served:
/// - the read model's stored bytes the 360 query read (the customer's record, its interactions,
///   each open opportunity and case): the entry keeps them (`ReadModelReadSet`) and the request's
///   own snapshot must hold the same bytes under the same keys (`isUnchanged(in:)`), so an answer
///   is never older than the snapshot the request reads — also after a `minPosition` wait, and
///   also across a rebuild's swap to a new generation;
/// - the erasure mask (`ErasureMask`, the key ring's tombstones): the entry keeps the key ring's
///   `erasureCount` read before masking, and any erasure since makes every entry stale;
/// - the snapshot's position, which is the body's top-level `position` and `X-Log-Position`:
///   not kept, but spliced into the body for each request (`answer(at:)`); the `ETag` ignores it,
///   so it is kept.
/// Role and scope do not change a 360 (every role sees it masked the same way); whether the
/// caller may see the customer at all is decided per request from the kept `managerId`. `asOf`
/// reads bypass the cache (their snapshots are other generations).
///
/// Bounded by `capacity` entries and `byteBudget` bytes; an entry that would not fit evicts
/// others (the first in the dictionary's order, effectively random).
final class Customer360Cache: Sendable {
    /// One kept answer.
    struct Entry: Sendable {
        /// The reads the answer was built from.
        var source: ReadModelReadSet
        /// `SubjectKeyRing.erasureCount` before the answer was masked (0 without a key ring).
        var erasures: Int
        /// The customer's manager, for the caller's row scope.
        var managerId: String?
        /// The personal data the answer carries, as the access event records it.
        var personalData: PersonalDataRead
        /// The JSON body before and after its top-level `"position":N` member.
        var head: [UInt8]
        var tail: [UInt8]
        /// The strong entity tag (it ignores `position`).
        var entityTag: String

        /// The bytes this entry holds.
        var byteCount: Int { head.count + tail.count + source.byteCount + 256 }

        /// The answer for a snapshot at `position`: the kept body with that position.
        func answer(at position: UInt64) -> QueryAnswer {
            var body = head
            body.reserveCapacity(head.count + tail.count + 32)
            body.append(contentsOf: #""position":"#.utf8)
            body.append(contentsOf: String(position).utf8)
            body.append(contentsOf: tail)
            return QueryAnswer(position: position, body: body, entityTag: entityTag)
        }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    let capacity: Int
    let byteBudget: Int
    private let state = Mutex(State())

    init(capacity: Int = 4096, byteBudget: Int = 32 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
    }

    /// Builds the entry for an answer `body` (JSON as `JSONBody` writes it, with a top-level
    /// `position`); nil when the body has no such member.
    static func entry(body: [UInt8], source: ReadModelReadSet, erasures: Int, managerId: String?,
                      personalData: PersonalDataRead) -> Entry? {
        guard let range = QueryAnswer.topLevelPosition(in: body) else { return nil }
        let answer = QueryAnswer(position: 0, body: body)
        return Entry(source: source, erasures: erasures, managerId: managerId, personalData: personalData,
                     head: Array(body[..<range.lowerBound]), tail: Array(body[range.upperBound...]),
                     entityTag: answer.entityTag)
    }

    /// The entry kept for customer `id`, not yet checked against a snapshot.
    func entry(_ id: String) -> Entry? {
        state.withLock { $0.entries[id] }
    }

    /// Keeps `entry` for customer `id` (replacing an older one).
    func store(_ id: String, _ entry: Entry) {
        let size = entry.byteCount
        guard size <= byteBudget else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: id) { state.bytes -= old.byteCount }
            while !state.entries.isEmpty, state.entries.count >= capacity || state.bytes + size > byteBudget {
                let evicted = state.entries.remove(at: state.entries.startIndex)
                state.bytes -= evicted.value.byteCount
            }
            state.entries[id] = entry
            state.bytes += size
        }
    }

    /// How many answers are kept (tests, diagnostics).
    var count: Int { state.withLock { $0.entries.count } }
}
