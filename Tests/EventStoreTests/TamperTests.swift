import Foundation
import Testing
@testable import EventStore

/// Edits the stored log behind the store's back and checks that `verify` names the first bad position.
@Suite("Tamper evidence")
struct TamperTests {
    /// Writes `count` events, closes the store, lets `tamper` edit the raw file, and verifies.
    func tampered(count: Int = 50, checkpointInterval: UInt64 = 10_000, key: HMACKey? = testKey, _ tamper: (RawLMDB) throws -> Void) async throws -> VerificationReport {
        let dir = TemporaryDirectory()
        do {
            let store = try openStore(dir.path, checkpointInterval: checkpointInterval)
            for n in 0..<count {
                try await store.append("s-\(n % 3)", [event("E", "event \(n)")], expected: .any, metadata: testMetadata)
            }
            #expect(try store.verify().isIntact)
            store.close()
        }
        let raw = try RawLMDB(directory: dir.path)
        try tamper(raw)
        raw.close()
        let store = try openStore(dir.path, key: key)
        return try store.verify()
    }

    @Test("an intact log verifies, with its checkpoints")
    func intact() async throws {
        let report = try await tampered(count: 25, checkpointInterval: 10) { _ in }
        #expect(report.isIntact)
        #expect(report.checkedEvents == 25)
        #expect(report.checkpointsVerified >= 2)
        #expect(report.lastCheckpoint?.position == 25)
    }

    @Test("one edited byte anywhere in an event is found at that event", arguments: [0, 5, 40, 90, -33, -1])
    func editedByte(offset: Int) async throws {
        let report = try await tampered { raw in
            try raw.write("events") { txn, dbi in
                var value = try #require(raw.get(txn, dbi, RawLMDB.key(17)))
                let index = offset >= 0 ? offset : value.count + offset
                value[index] ^= 0x01
                try raw.put(txn, dbi, RawLMDB.key(17), value)
            }
        }
        #expect(report.firstBadPosition == 17)
    }

    @Test("a deleted event is named")
    func deleted() async throws {
        let report = try await tampered { raw in
            try raw.write("events") { txn, dbi in try raw.delete(txn, dbi, RawLMDB.key(23)) }
        }
        #expect(report.firstBadPosition == 23)
        #expect(report.problem?.contains("missing") == true)
    }

    @Test("the deleted last event is named, even though nothing follows it")
    func deletedTail() async throws {
        let report = try await tampered { raw in
            try raw.write("events") { txn, dbi in try raw.delete(txn, dbi, RawLMDB.key(50)) }
        }
        #expect(report.firstBadPosition == 50)
    }

    @Test("two swapped events are found at the first of them")
    func reordered() async throws {
        let report = try await tampered { raw in
            try raw.write("events") { txn, dbi in
                let a = try #require(raw.get(txn, dbi, RawLMDB.key(30)))
                let b = try #require(raw.get(txn, dbi, RawLMDB.key(31)))
                try raw.put(txn, dbi, RawLMDB.key(30), b)
                try raw.put(txn, dbi, RawLMDB.key(31), a)
            }
        }
        #expect(report.firstBadPosition == 30)
    }

    @Test("an event copied in after the head is found")
    func inserted() async throws {
        let report = try await tampered { raw in
            try raw.write("events") { txn, dbi in
                let copy = try #require(raw.get(txn, dbi, RawLMDB.key(50)))
                try raw.put(txn, dbi, RawLMDB.key(51), copy)
            }
        }
        #expect(report.firstBadPosition == 51)
    }

    @Test("a chain rewritten consistently without the key contradicts the signed checkpoints")
    func rewrittenChain() async throws {
        let report = try await tampered(checkpointInterval: 10) { raw in
            // Change event 5's data and recompute every hash after it, as an attacker who knows the
            // hashing scheme but not the HMAC key would; also fix up the recorded head.
            var previous: [UInt8] = []
            try raw.write("events") { txn, dbi in
                previous = try #require(raw.get(txn, dbi, RawLMDB.key(4)).map { Array($0.suffix(32)) })
                for position in UInt64(5)...50 {
                    var value = try #require(raw.get(txn, dbi, RawLMDB.key(position)))
                    if position == 5 {
                        let needle = Array("event 4".utf8)
                        let index = try #require(value.indices.first { value[$0...].starts(with: needle) })
                        value[index + 6] = UInt8(ascii: "9")
                    }
                    let body = Array(value.dropLast(32))
                    let hash = (previous + body).withUnsafeBytes { SHA256Digest.hash($0) }.bytes
                    try raw.put(txn, dbi, RawLMDB.key(position), body + hash)
                    previous = hash
                }
            }
            try raw.write("meta") { txn, dbi in
                var head = try #require(raw.get(txn, dbi, Array("head".utf8)))
                head.replaceSubrange(8..<40, with: previous)
                try raw.put(txn, dbi, Array("head".utf8), head)
            }
        }
        #expect(report.firstBadPosition == 10)
        #expect(report.problem?.contains("checkpoint") == true)
    }

    @Test("a forged checkpoint fails its HMAC")
    func forgedCheckpoint() async throws {
        let report = try await tampered(checkpointInterval: 10) { raw in
            try raw.write("checkpoints") { txn, dbi in
                var value = try #require(raw.get(txn, dbi, RawLMDB.key(20)))
                value[value.count - 1] ^= 0xff
                try raw.put(txn, dbi, RawLMDB.key(20), value)
            }
        }
        #expect(report.firstBadPosition == 20)
    }

    @Test("a tail cut off together with the recorded head contradicts a checkpoint")
    func truncatedTail() async throws {
        let report = try await tampered(checkpointInterval: 10) { raw in
            var head: [UInt8] = []
            try raw.write("events") { txn, dbi in
                for position in UInt64(41)...50 { try raw.delete(txn, dbi, RawLMDB.key(position)) }
                head = RawLMDB.key(40) + Array(raw.get(txn, dbi, RawLMDB.key(40))!.suffix(32))
            }
            try raw.write("meta") { txn, dbi in
                var stored = try #require(raw.get(txn, dbi, Array("head".utf8)))
                stored.replaceSubrange(0..<40, with: head)
                try raw.put(txn, dbi, Array("head".utf8), stored)
            }
        }
        #expect(report.firstBadPosition == 41)
    }

    @Test("a partial range verifies from the stored link before it")
    func partialRange() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        for _ in 0..<30 { try await store.append("s", [event()], expected: .any, metadata: testMetadata) }
        let report = try store.verify(from: 10, to: 20)
        #expect(report.isIntact)
        #expect(report.checkedEvents == 11)
    }
}

@Suite("Checkpoints at close")
struct CloseCheckpointTests {
    @Test("a store opened only to read never signs a checkpoint over a chain it did not write")
    func readOnlySessionSignsNothing() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try openStore(dir.path, checkpointInterval: 1000)
            for _ in 0..<5 { try await store.append("s", [event()], expected: .any, metadata: testMetadata) }
            store.close()
        }
        // The writer signed at close, over its own events.
        do {
            let store = try openStore(dir.path)
            #expect(try store.checkpoints().map(\.position) == [5])
            store.close()
        }
        // Tamper, then open and close without writing: still only the honest checkpoint.
        let raw = try RawLMDB(directory: dir.path)
        try raw.write("events") { txn, dbi in
            var value = try #require(raw.get(txn, dbi, RawLMDB.key(3)))
            value[100] ^= 1
            try raw.put(txn, dbi, RawLMDB.key(3), value)
        }
        try raw.write("meta") { txn, dbi in
            var head = try #require(raw.get(txn, dbi, Array("head".utf8)))
            head.replaceSubrange(0..<8, with: RawLMDB.key(5))
            try raw.put(txn, dbi, Array("head".utf8), head)
        }
        raw.close()
        do {
            let store = try openStore(dir.path)
            #expect(try store.verify().firstBadPosition == 3)
            store.close()
        }
        let store = try openStore(dir.path)
        #expect(try store.checkpoints().map(\.position) == [5])
    }
}
