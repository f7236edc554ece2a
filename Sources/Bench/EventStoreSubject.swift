import EventStore
import Foundation

/// The engine under test: the real `EventStore`, opened as `crm serve` opens it (checkpoint key
/// set, default checkpoint interval and group bound), so every append pays for the envelope, the
/// SHA-256 chain, the event-id, stream and actor indexes and the periodic signed checkpoint.
final class EventStoreSubject: AppendSubject {
    let kind = SubjectKind.eventStore
    /// The store itself, for the scans.
    let store: EventStore
    private let metadata: AppendMetadata

    /// Opens (creating) a store in `directory`. `mapSize` is the initial LMDB map, set as large as
    /// the bare baseline's so neither run pays for map growth the other does not.
    init(directory: String, mapSize: Int) throws {
        store = try EventStore(
            directory: directory,
            configuration: .init(initialMapSize: mapSize, checkpointKey: HMACKey.generate()))
        metadata = AppendMetadata(actor: Actor(id: "bench", role: "system"), source: .local(tool: "crm bench"))
    }

    func append(stream: String, count: Int) async throws {
        var events: [ProposedEvent] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            events.append(ProposedEvent(type: BenchmarkPayload.type, data: BenchmarkPayload.data))
        }
        try await store.append(stream, events, expected: .any, metadata: metadata)
    }

    func commitCount() throws -> UInt64 {
        try store.statistics().commitsSinceOpen
    }

    /// Every header of the log, without decoding data: what projections filtering by type read.
    func scanHeaders() throws -> (events: Int, checksum: Int) {
        var checksum = 0
        let events = try store.scanHeaders(from: 1) { header in
            checksum &+= header.dataCount
            return true
        }
        return (Int(events), checksum)
    }

    /// Every event of the log with its envelope decoded and data copied out: what a rebuild reads.
    func scanEvents() throws -> (events: Int, checksum: Int) {
        var checksum = 0
        let events = try store.scanEvents(from: 1) { event in
            checksum &+= event.data.count
            return true
        }
        return (Int(events), checksum)
    }

    func close() { store.close() }
}
