import Domain
import EventStore

/// Reads the log in pages for a projector and decodes the payloads it asked for.
struct EventFeed: Sendable {
    let store: EventStore
    let registry: EventRegistry
    let batchSize: Int
    /// Shared with the engine's other runners.
    let cache: DecodedEventCache

    /// The projector's events after `checkpoint` and up to `limit`, and the position the batch
    /// reaches (events of other types in between count as consumed).
    ///
    /// `needsKeys` (a projector that keeps personal data): an event with sealed personal data is
    /// refused when the registry has no data keys, since every personal value would read as erased,
    /// for every subject, and the read model would keep it. Projectors that use no personal value
    /// fold such events correctly without the keys.
    func next(after checkpoint: UInt64, through limit: UInt64, types: Set<String>?, decode: Bool = true,
              needsKeys: Bool = false) throws -> (events: [ProjectedEvent], reached: UInt64) {
        guard checkpoint < limit else { return ([], checkpoint) }
        let page = try store.readPage(from: checkpoint + 1, limit: batchSize, types: types, maxScan: batchSize * 16)
        let reached = min(page.next - 1, limit)
        let envelopes = page.events.filter { $0.position <= limit }
        guard decode else { return (envelopes.map { ProjectedEvent(envelope: $0, payload: nil) }, reached) }
        let cached = cache.lookup(envelopes.map(\.position))
        var events: [ProjectedEvent] = []
        events.reserveCapacity(envelopes.count)
        var decoded: [(UInt64, any DomainEvent)] = []
        for (envelope, hit) in zip(envelopes, cached) {
            if needsKeys, envelope.sealed != nil, registry.protection == nil {
                throw ApplyFailure(position: envelope.position, reason: "\(envelope.type) holds sealed personal data, but the projections "
                                   + "decode without the data keys (give the engine EventRegistry.domain.protecting(with: keyRing))")
            }
            if let hit, opensAsCached(envelope) {
                events.append(ProjectedEvent(envelope: envelope, payload: hit))
            } else if registry.knows(envelope.type) {
                do {
                    let payload = try registry.decode(envelope)
                    decoded.append((envelope.position, payload))
                    events.append(ProjectedEvent(envelope: envelope, payload: payload))
                } catch {
                    throw ApplyFailure(position: envelope.position, reason: "cannot decode \(envelope.type): \(error)")
                }
            } else {
                events.append(ProjectedEvent(envelope: envelope, payload: nil))
            }
        }
        cache.store(decoded, covering: reached > checkpoint ? (checkpoint + 1)...reached : nil)
        return (events, reached)
    }

    /// Whether a cached payload of `envelope` may be served. One whose personal values were
    /// sealed under a key that is gone now (the subject was erased) is decoded again, so that it
    /// reads as the marker: a payload decoded before the erasure must not reach a rebuild, an
    /// as-of replay or a lagging projector after it.
    func opensAsCached(_ envelope: RecordedEvent) -> Bool {
        guard let sealed = envelope.sealed, let keyRing = registry.protection?.keyRing else { return true }
        return (try? keyRing.key(opening: sealed)) != nil
    }
}
