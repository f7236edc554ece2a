import Foundation
import Testing
@testable import EventStore

/// The read-only log and environment that `crm backup` and `crm doctor` use.
@Suite struct ReadOnlyLogTests {
    /// A store closed after `count` single-event commits (each commit leaves free pages behind).
    func filledStore(_ path: String, count: Int) async throws -> LogHead {
        let store = try openStore(path, checkpointInterval: 50)
        defer { store.close() }
        for n in 0..<count {
            try await store.append("s-\(n % 5)", [event("Noted", String(repeating: "x", count: 200) + "\(n)")], expected: .any, metadata: testMetadata)
        }
        return try store.head()
    }

    @Test func readsVerifiesAndCountsLikeTheStore() async throws {
        let directory = TemporaryDirectory()
        let head = try await filledStore(directory.path, count: 120)
        let log = try ReadOnlyLog(directory: directory.path)
        #expect(try log.head() == head)
        let (_, checkpoint) = try log.headAndLastCheckpoint()
        #expect(checkpoint?.position == 120)
        let report = try log.verify(checkpointKey: testKey)
        #expect(report.isIntact)
        #expect(report.checkedEvents == 120)
        #expect(report.checkpointsVerified == 3)
        // Under another key the checkpoints do not authenticate: the same rules as the store.
        let forged = try log.verify(checkpointKey: HMACKey.generate())
        #expect(forged.firstBadPosition == 50)
        // Pending events of a type after a position, and the time of the first.
        let pending = try log.pendingEvents(after: 100, through: 120, types: ["Noted"])
        #expect(pending.count == 20)
        #expect(try log.pendingEvents(after: 100, through: 120, types: ["Other"]).count == 0)
        // Nothing was created in the data directory but what LMDB keeps there.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["crm.lock", "log"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/log").sorted() == ["data.mdb", "lock.mdb"])
    }

    @Test func aCompactedCopyHoldsTheSameLogInFewerPages() async throws {
        let directory = TemporaryDirectory()
        let head = try await filledStore(directory.path, count: 400)
        let log = try ReadOnlyLog(directory: directory.path)
        let usage = try log.environment.usage()
        #expect(usage.freeListPages > 0)
        #expect(usage.highWaterPages > usage.livePages)
        let copy = directory.path + "/copy"
        try FileManager.default.createDirectory(atPath: copy + "/log", withIntermediateDirectories: true)
        let fd = open(copy + "/log/data.mdb", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        try log.environment.copyCompacted(to: fd)
        let copied = try ReadOnlyLog(directory: copy)
        #expect(try copied.head() == head)
        #expect(try copied.verify(checkpointKey: testKey).isIntact)
        #expect(try copied.environment.entryCounts() == (try log.environment.entryCounts()))
        #expect(try copied.environment.entryCounts()["events"] == 400)
        let copyUsage = try copied.environment.usage()
        #expect(copyUsage.freeListPages == 0)
        #expect(copyUsage.fileBytes == usage.liveBytes)
    }

    /// The streaming copy hands out exactly the bytes of the file copy; a consumer that fails
    /// stops it without killing the process (the copy thread gets EPIPE, not SIGPIPE).
    @Test func theStreamingCopyAndAFailingConsumer() async throws {
        let directory = TemporaryDirectory()
        _ = try await filledStore(directory.path, count: 400)
        let environment = try ReadOnlyEnvironment(directory: directory.path + "/log")
        var streamed: [UInt8] = []
        let total = try environment.copyCompacted(chunkSize: 4096) { streamed.append(contentsOf: $0) }
        #expect(total == UInt64(streamed.count))
        #expect(total == (try environment.usage().liveBytes))
        struct Stop: Error {}
        var calls = 0
        #expect(throws: Stop.self) {
            try environment.copyCompacted(chunkSize: 4096) { _ in
                calls += 1
                throw Stop()
            }
        }
        #expect(calls == 1)
        // Still usable afterwards.
        #expect(try environment.copyCompacted { _ in } == total)
    }

    @Test func readerSlotsOfTheStoreAndRefusals() async throws {
        let directory = TemporaryDirectory()
        #expect(throws: EventStoreError.missingDirectory(directory.path)) { try ReadOnlyLog(directory: directory.path) }
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        #expect(throws: EventStoreError.notAnEventStore(path: directory.path, reason: "it has no log/data.mdb")) {
            try ReadOnlyLog(directory: directory.path)
        }
        _ = try await filledStore(directory.path, count: 3)
        let log = try ReadOnlyLog(directory: directory.path)
        // No transaction is open: no slot holds a snapshot.
        #expect(log.environment.readers().allSatisfy { $0.transaction == nil })
        #expect(try log.environment.value(database: "meta", key: Array("format".utf8)) == Array("crm-eventlog/2".utf8))
        #expect(try log.environment.value(database: "nope", key: [1]) == nil)
    }
}
