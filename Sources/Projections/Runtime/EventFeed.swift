import Domain
import EventStore

/// Reads the log in pages for a projector and decodes the payloads it asked for.
struct EventFeed: Sendable {
    let store: EventStore
    let registry: EventRegistry
    let batchSize: Int

    /// The projector's events after `checkpoint` and up to `limit`, and the position the batch
    /// reaches (events of other types in between count as consumed).
    func next(after checkpoint: UInt64, through limit: UInt64, types: Set<String>?, decode: Bool = true) throws -> (events: [ProjectedEvent], reached: UInt64) {
        guard checkpoint < limit else { return ([], checkpoint) }
        let page = try store.readPage(from: checkpoint + 1, limit: batchSize, types: types, maxScan: batchSize * 16)
        let reached = min(page.next - 1, limit)
        var events: [ProjectedEvent] = []
        events.reserveCapacity(page.events.count)
        for envelope in page.events where envelope.position <= limit {
            if decode, registry.knows(envelope.type) {
                do {
                    events.append(ProjectedEvent(envelope: envelope, payload: try registry.decode(envelope)))
                } catch {
                    throw ApplyFailure(position: envelope.position, reason: "cannot decode \(envelope.type): \(error)")
                }
            } else {
                events.append(ProjectedEvent(envelope: envelope, payload: nil))
            }
        }
        return (events, reached)
    }
}
