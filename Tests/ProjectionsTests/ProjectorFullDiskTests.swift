import EventStore
import Foundation
import Projections
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Writes a few kilobytes per event, so that a small filesystem fills after a few hundred events.
private struct BulkyProjector: Projector {
    static let pages = ReadModelTable<String>("pages")
    var name = "bulky"
    var version = 1
    var tables: [String] { [Self.pages.name] }
    var eventTypes: Set<String>? = nil
    var decodesPayloads: Bool { false }

    func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        try batch.put(Self.pages, String(format: "%012llu", event.position), String(repeating: "p", count: 4000))
    }
}

/// A projector whose read-model environment runs out of disk must wait, not stop: found by
/// `scripts/drills/disk-full.sh`, where every projector parked for good on `ENOSPC` and stayed
/// behind the log after space was freed, until the server was restarted.
@Suite("Projector on a full disk")
struct ProjectorFullDiskTests {
    /// The read models on a 2 MiB tmpfs (the log elsewhere); grown to 64 MiB once the projector
    /// is refused. Needs root to mount; CI runs as root.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func waitsForSpaceThenCatchesUpExactlyOnce() async throws {
        let root = NSTemporaryDirectory() + "crm-projector-full-" + UUID().uuidString
        let projections = root + "/projections"
        try FileManager.default.createDirectory(atPath: projections, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        guard "size=2m".withCString({ mount("crm-test", projections, "tmpfs", 0, $0) }) == 0 else {
            Issue.record("cannot mount a tmpfs at \(projections): errno \(errno)")
            return
        }
        defer { umount2(projections, Int32(MNT_DETACH)) }
        let store = try EventStore(directory: root + "/data", configuration: .init(initialMapSize: 16 << 20))
        defer { store.close() }
        let engine = try ProjectionEngine(store: store, projectors: [BulkyProjector()], directory: projections,
                                          configuration: .init(batchSize: 50))
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let metadata = AppendMetadata(actor: Actor(id: "tests", role: "admin"),
                                      source: Source(clientAddress: "127.0.0.1", userAgent: "tests", host: "tests"))

        // Append until the projector is refused by the full filesystem (the log has room).
        var refused: ProjectorStatus?
        for round in 0..<400 where refused == nil {
            let events = (0..<10).map { _ in ProposedEvent(type: "Noted", data: Array(#"{"n":1}"#.utf8)) }
            try await store.append("s-\(round)", events, expected: .any, metadata: metadata)
            try await Task.sleep(for: .milliseconds(20))
            refused = engine.status().first { $0.state == .parked }
        }
        let parked = try #require(refused, "the projector never ran out of space on a 2 MiB filesystem")
        #expect(parked.parked?.reason.contains("insufficient storage") == true, "\(parked.parked?.reason ?? "")")

        // More room, no restart: the same runner must go back to work and reach the head.
        guard "size=64m".withCString({ mount("crm-test", projections, "tmpfs", UInt(MS_REMOUNT), $0) }) == 0 else {
            Issue.record("cannot grow the tmpfs: errno \(errno)")
            return
        }
        let head = store.headWatch.head
        var status = engine.status()[0]
        for _ in 0..<600 where !(status.state == .live && status.checkpoint == head) {
            try await Task.sleep(for: .milliseconds(50))
            status = engine.status()[0]
        }
        #expect(status.state == .live, "\(status)")
        #expect(status.parked == nil)
        #expect(status.checkpoint == head)
        // Every event applied exactly once: one page per position, none missing.
        let pages = try engine.read("bulky") { try $0.count(BulkyProjector.pages) }
        #expect(pages == Int(head))
    }
}
