import CLMDB
import Foundation
import Testing
@testable import EventStore

/// Regression tests from the tamper drill (scripts/drills/tamper.sh): a signed checkpoint record
/// edited, moved or cut short behind the store's back. `verify` used to trust the position written
/// inside the record, so an edited position field named a meaningless position, a record copied
/// under another key stalled the checking of every later checkpoint (the log then verified as
/// intact), and a record of the wrong length was skipped (also intact). The key a record is stored
/// under is now what names the damage.
@Suite("Tamper evidence: signed checkpoint records")
struct CheckpointTamperTests {
    /// Writes 50 events with a checkpoint every 10, closes the store, lets `tamper` edit the
    /// `checkpoints` database, and verifies (with or without the HMAC key).
    func verifyAfterTampering(key: HMACKey? = testKey, _ tamper: (RawLMDB, OpaquePointer, MDB_dbi) throws -> Void) async throws -> VerificationReport {
        let dir = TemporaryDirectory()
        do {
            let store = try openStore(dir.path, checkpointInterval: 10)
            for n in 0..<50 {
                try await store.append("s-\(n % 3)", [event("E", "event \(n)")], expected: .any, metadata: testMetadata)
            }
            #expect(try store.verify().isIntact)
            #expect(try store.checkpoints().map(\.position).starts(with: [10, 20, 30, 40, 50]))
            store.close()
        }
        let raw = try RawLMDB(directory: dir.path)
        try raw.write("checkpoints") { txn, dbi in try tamper(raw, txn, dbi) }
        raw.close()
        let store = try openStore(dir.path, key: key)
        defer { store.close() }
        return try store.verify()
    }

    @Test("an edited byte in a checkpoint's position field is named at the checkpoint's own position",
          arguments: [0, 3, 7])
    func editedPositionField(index: Int) async throws {
        let report = try await verifyAfterTampering { raw, txn, dbi in
            var value = try #require(raw.get(txn, dbi, RawLMDB.key(20)))
            value[index] ^= 0x40
            try raw.put(txn, dbi, RawLMDB.key(20), value)
        }
        #expect(report.firstBadPosition == 20)
    }

    @Test("without the key, an edited position field is still named where the record is stored")
    func editedPositionFieldWithoutKey() async throws {
        let report = try await verifyAfterTampering(key: nil) { raw, txn, dbi in
            var value = try #require(raw.get(txn, dbi, RawLMDB.key(30)))
            value[7] ^= 0x01
            try raw.put(txn, dbi, RawLMDB.key(30), value)
        }
        #expect(report.firstBadPosition == 30)
    }

    @Test("an authentic checkpoint record copied under another position's key is found there")
    func movedRecord() async throws {
        let report = try await verifyAfterTampering { raw, txn, dbi in
            let older = try #require(raw.get(txn, dbi, RawLMDB.key(10)))
            try raw.put(txn, dbi, RawLMDB.key(30), older)
        }
        #expect(report.firstBadPosition == 30)
        #expect(report.problem?.contains("checkpoint") == true)
    }

    @Test("a checkpoint record cut short is reported, not skipped")
    func truncatedRecord() async throws {
        let report = try await verifyAfterTampering { raw, txn, dbi in
            let value = try #require(raw.get(txn, dbi, RawLMDB.key(40)))
            try raw.put(txn, dbi, RawLMDB.key(40), Array(value.dropLast()))
        }
        #expect(report.firstBadPosition == 40)
        #expect(report.problem?.contains("malformed") == true)
    }

    @Test("untouched checkpoints still verify, every one of them")
    func untouched() async throws {
        let report = try await verifyAfterTampering { _, _, _ in }
        #expect(report.isIntact)
        #expect(report.checkpointsVerified >= 5)
    }
}
