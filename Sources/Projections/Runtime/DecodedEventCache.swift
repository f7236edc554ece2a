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

    /// Remembers decoded payloads.
    func store(_ entries: [(UInt64, any DomainEvent)]) {
        guard !entries.isEmpty else { return }
        slots.withLock { slots in
            for (position, payload) in entries {
                slots[Int(position % UInt64(capacity))] = Slot(position: position, payload: payload)
            }
        }
    }
}
