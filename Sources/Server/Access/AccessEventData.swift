import EventStore
import Synchronization

/// The encoded data of access events, kept by value: repeated reads of the same record by
/// callers who give the same filters and purpose record equal `DataAccessed` values, and their
/// JSON (keys sorted, so equal values are equal bytes) need not be encoded again — encoding it
/// was 4 % of a customer 360 read's CPU under load once the answer itself was kept
/// (BENCHMARKS.md). The event is still one per request, with its own id, actor, source and time:
/// only its data bytes are shared.
///
/// At most `capacity` values are kept; a full memo starts over.
final class AccessEventData: Sendable {
    let capacity: Int
    private let memo = Mutex<[DataAccessed: [UInt8]]>([:])

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The access event for `access`, with a new id, its data encoded as
    /// `ProposedEvent(encoding:)` encodes it.
    func event(for access: DataAccessed) throws -> ProposedEvent {
        if let data = memo.withLock({ $0[access] }) {
            return ProposedEvent(type: DataAccessed.eventType, schemaVersion: DataAccessed.schemaVersion, data: data)
        }
        let event = try ProposedEvent(type: DataAccessed.eventType, schemaVersion: DataAccessed.schemaVersion, encoding: access)
        memo.withLock { memo in
            if memo.count >= capacity { memo.removeAll(keepingCapacity: true) }
            memo[access] = event.data
        }
        return event
    }

    /// How many values are kept (tests).
    var count: Int { memo.withLock { $0.count } }
}
