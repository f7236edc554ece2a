import Domain
import Synchronization

/// The decoded payloads of the most recent log positions, shared by every runner of an engine:
/// projectors that catch up side by side read the same pages, and decoding an event's JSON is
/// the largest cost of a rebuild, so each event is decoded once rather than once per projector.
///
/// A ring of `capacity` slots indexed by position; a slot holds the position it was filled for,
/// so a stale slot is simply a miss.
///
/// Payloads hold opened personal values. The cache never decides whether one may still be served:
/// `EventFeed` treats a hit on an event sealed under a key that no longer exists (an erased
/// subject) as a miss and decodes it again, so plaintext decoded before an erasure is never
/// served after it.
final class DecodedEventCache: Sendable {
    private struct Slot {
        var position: UInt64 = 0
        var payload: (any DomainEvent)?
    }

    private let capacity: Int
    private let slots: Mutex<[Slot]>

    init(capacity: Int = 1 << 16) {
        self.capacity = max(1, capacity)
        slots = Mutex([Slot](repeating: Slot(), count: max(1, capacity)))
    }

    /// The cached payloads of `positions` (nil where not cached), in order.
    func lookup(_ positions: [UInt64]) -> [(any DomainEvent)?] {
        slots.withLock { slots in
            positions.map { position in
                let slot = slots[Int(position % UInt64(capacity))]
                return slot.position == position ? slot.payload : nil
            }
        }
    }

    /// Remembers the payloads a reader decoded from the positions `covered` (the whole range its
    /// page spanned, including positions it skipped or did not decode).
    ///
    /// A slot whose payload is older than the position the range now gives it is emptied even when
    /// that position was not decoded. Without this a slot kept its last payload until some reader
    /// decoded a position of that slot again, and the live engine, whose readers skip most types,
    /// filled its ring ever more slowly for hours: the soak drill's heap grew ~10 MB an hour that
    /// way (heaptrack, RELIABILITY.md defect 5). Emptying slots only older than the range keeps
    /// what readers further ahead stored.
    func store(_ entries: [(UInt64, any DomainEvent)], covering covered: ClosedRange<UInt64>?) {
        slots.withLock { slots in
            if let covered {
                // Positions further back share a slot with a later one in the range.
                for position in covered.suffix(capacity) {
                    let index = Int(position % UInt64(capacity))
                    if slots[index].position < position, slots[index].payload != nil { slots[index] = Slot() }
                }
            }
            for (position, payload) in entries {
                slots[Int(position % UInt64(capacity))] = Slot(position: position, payload: payload)
            }
        }
    }

    /// Number of slots holding a payload (tests and diagnostics).
    var payloadCount: Int { slots.withLock { $0.reduce(0) { $0 + ($1.payload == nil ? 0 : 1) } } }
}
