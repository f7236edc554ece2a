import CLMDB
import Foundation
import Testing
@testable import EventStore

/// A full disk or map must be a refusal the caller can wait out (`.insufficientStorage`), never a
/// generic storage failure, and must leave the writer and the environment usable. The map at
/// `maxMapSize` is the deterministic stand-in for a full disk here (both abort the transaction the
/// same way); `scripts/drills/disk-full.sh` fills a real filesystem.
@Suite("Full disk or map")
struct StorageFullTests {
    private static func configuration(maxMapSize: Int) -> EventStore.Configuration {
        EventStore.Configuration(initialMapSize: 256 * 1024, maxMapSize: maxMapSize, checkpointInterval: 50, checkpointKey: testKey)
    }

    private static func bigEvent(_ bytes: Int) -> ProposedEvent {
        ProposedEvent(id: UUID(), type: "Big", data: Array(#"{"text":""#.utf8) + Array(repeating: UInt8(ascii: "b"), count: bytes) + Array(#""}"#.utf8))
    }

    @Test("an append that does not fit the map at its maximum is refused as insufficient storage; the writer goes on")
    func mapFullAtMaximum() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try EventStore(directory: dir.path, configuration: Self.configuration(maxMapSize: 1 << 20))
            for n in 1...20 {
                try await store.append("small", [event("Noted", "before \(n)")], expected: .any, metadata: testMetadata)
            }
            await #expect {
                try await store.append("big", [Self.bigEvent(2 << 20)], expected: .any, metadata: testMetadata)
            } throws: { error in
                guard case EventStoreError.insufficientStorage(let message) = error else { return false }
                return message.contains("map")
            }
            // A group that failed leaves nothing behind and does not stop the writer: the next
            // appends continue the log without a gap, and the chain (with its checkpoints) stays intact.
            for n in 1...40 {
                let result = try await store.append("small", [event("Noted", "after \(n)")], expected: .exact(UInt64(19 + n)),
                                                    metadata: testMetadata)
                #expect(result.positions == [UInt64(20 + n)])
            }
            #expect(try store.head().position == 60)
            #expect(try store.readAll().map(\.position) == Array(1...60))
            #expect(try store.readStream("big").isEmpty)
            let report = try store.verify()
            #expect(report.isIntact)
            #expect(report.checkpointsVerified >= 1)
            store.close()
        }
        // With room to grow (the operator raised the limit) the refused append goes through.
        let larger = try EventStore(directory: dir.path, configuration: Self.configuration(maxMapSize: 64 << 20))
        let result = try await larger.append("big", [Self.bigEvent(2 << 20)], expected: .noStream, metadata: testMetadata)
        #expect(result.positions == [61])
        #expect(try larger.verify().isIntact)
    }

    @Test("a refused append wrote nothing: retried with the same ids once there is room, it appends exactly once")
    func refusedAppendRetriesOnce() async throws {
        let dir = TemporaryDirectory()
        let big = Self.bigEvent(2 << 20)
        do {
            let store = try EventStore(directory: dir.path, configuration: Self.configuration(maxMapSize: 1 << 20))
            await #expect {
                try await store.append("big", [big], expected: .any, metadata: testMetadata)
            } throws: { error in
                if case EventStoreError.insufficientStorage = error { true } else { false }
            }
            #expect(try store.head().position == 0)
            store.close()
        }
        let larger = try EventStore(directory: dir.path, configuration: Self.configuration(maxMapSize: 64 << 20))
        let first = try await larger.append("big", [big], expected: .any, metadata: testMetadata)
        let again = try await larger.append("big", [big], expected: .any, metadata: testMetadata)
        #expect(first.positions == [1])
        #expect(again.positions == [1])
        #expect(again.wasAlreadyStored)
        #expect(try larger.head().position == 1)
    }

    @Test("a key/value write that does not fit is refused as insufficient storage and keeps nothing; the store goes on")
    func keyValueMapFull() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(directory: dir.path + "/kv", tables: ["t"], mapSize: 256 * 1024)
        try store.write { try $0.put(0, Array("small".utf8), [1]) }
        #expect {
            try store.write { writer in
                try writer.put(0, Array("before".utf8), [2])
                try writer.put(0, Array("big".utf8), Array(repeating: 7, count: 1 << 20))
            }
        } throws: { error in
            if case EventStoreError.insufficientStorage = error { true } else { false }
        }
        try store.write { try $0.put(0, Array("after".utf8), [3]) }
        try store.read { reader throws in
            #expect(try reader.get(0, Array("small".utf8)) == [1])
            #expect(try reader.get(0, Array("before".utf8)) == nil)
            #expect(try reader.get(0, Array("big".utf8)) == nil)
            #expect(try reader.get(0, Array("after".utf8)) == [3])
        }
    }

    @Test("the key ring keeps a full disk recognisable; other failures of its storage stay storage failures")
    func keyRingFullDisk() {
        #expect(KeyRingError(wrapping: EventStoreError.insufficientStorage("keys: full")) == .insufficientStorage("keys: full"))
        #expect(KeyRingError(wrapping: EventStoreError.storage("EIO")) == .storage(EventStoreError.storage("EIO").description))
    }

    @Test("a full disk is insufficient storage; EIO is one only when the filesystem is nearly full; other failures stay storage failures")
    func classification() throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path, configuration: Self.configuration(maxMapSize: 1 << 20))
        func classified(_ code: Int32) -> EventStoreError {
            EventStoreError(lmdb: LMDBError(operation: "mdb_txn_commit", code: code), in: store.env)
        }
        for code in [ENOSPC, EDQUOT, MDB_MAP_FULL] {
            guard case .insufficientStorage = classified(code) else {
                Issue.record("code \(code) classified as \(classified(code))")
                continue
            }
        }
        // The test directory's filesystem has room, so an EIO there is a device error.
        let free = try #require(store.env.freeBytesOnFilesystem())
        if free >= EventStoreError.fullDiskThreshold {
            #expect(classified(EIO) == .storage(LMDBError(operation: "mdb_txn_commit", code: EIO).description))
        }
        #expect(classified(EACCES) == .storage(LMDBError(operation: "mdb_txn_commit", code: EACCES).description))
        #expect(classified(MDB_PANIC) == .storage(LMDBError(operation: "mdb_txn_commit", code: MDB_PANIC).description))
        #expect(EventStoreError(lmdb: EventStoreError.closed, in: store.env) == .closed)
    }
}
