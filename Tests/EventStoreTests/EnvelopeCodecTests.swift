import Foundation
import Testing
@testable import EventStore

/// The envelope decoder on stored records that are not well-formed envelopes: every reader must
/// throw (reads then answer `EventStoreError.corrupt`), never trap. The inputs come from the
/// libFuzzer drill (`Fuzz/Sources/FuzzEnvelope`, `scripts/drills/fuzz-libfuzzer.sh`).
@Suite("Envelope codec on malformed records")
struct EnvelopeCodecTests {
    /// Found by the fuzzer: an empty record trapped in `decodeHeader` and `decode`, which sliced off
    /// a 32-byte hash the record did not have.
    @Test("a record too short for the fixed header and the hash is malformed", arguments: [0, 1, 31, 32, 80, 111])
    func tooShort(count: Int) {
        let record = [UInt8](repeating: EnvelopeCodec.format, count: count)
        record.withUnsafeBytes { bytes in
            #expect(throws: EnvelopeCodec.Malformed.self) { try EnvelopeCodec.decode(bytes) }
            #expect(throws: EnvelopeCodec.Malformed.self) { try EnvelopeCodec.decodeHeader(bytes) }
            #expect(EnvelopeCodec.position(of: bytes) == nil)
            #expect(EnvelopeCodec.storedHash(of: bytes) == nil)
        }
    }

    /// Found by the fuzzer's round trip: the decoder demanded 32 bytes more than the fixed header
    /// after the hash was already cut off, so an envelope the store accepts (one-byte stream, type
    /// and actor, empty data: 109 bytes before the hash) could not be read or verified.
    @Test("the smallest envelope the store accepts decodes")
    func smallest() throws {
        var record: [UInt8] = []
        EnvelopeCodec.encode(
            EnvelopeCodec.Fields(
                position: 1, streamVersion: 1, recordedAt: 0, stream: "s",
                event: ProposedEvent(type: "E", data: []), actor: Actor(id: "a", role: ""),
                source: Source(clientAddress: "", userAgent: "", host: ""), correlationId: UUID(), causationId: nil, reason: nil),
            into: &record)
        #expect(record.count == 109)
        record += [UInt8](repeating: 0xAB, count: EnvelopeCodec.hashCount)
        try record.withUnsafeBytes { bytes in
            let event = try EnvelopeCodec.decode(bytes)
            #expect(event.stream == "s" && event.type == "E" && event.actor.id == "a" && event.data.isEmpty)
            #expect(try EnvelopeCodec.decodeHeader(bytes).dataCount == 0)
        }
    }

    /// Found by the libFuzzer drill's full run: a record whose recorded time is `Int64.min` decoded,
    /// and rendering it as JSON (`crm log`, the API's event routes) trapped on an overflow in the
    /// time formatting.
    @Test("a record with an extreme recorded time renders as JSON")
    func extremeRecordedTime() throws {
        let hex = "0123010100000000000000000000000000000000000000008000000000000000000000000000000000000000000000000000000000000000000000003300000000000000000000000000000000000000000000010100000000000000000000000000000000000000000000000000000000000000690200000000000000000001004000baffffffff00e578"
        let record = stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        let event = try record.withUnsafeBytes { try EnvelopeCodec.decode($0) }
        #expect(event.recordedAt == .min)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(event.json)) as? [String: Any])
        #expect(json["recordedAt"] as? String == RecordedEvent.iso8601(milliseconds: .min))
        #expect(RecordedEvent.iso8601(milliseconds: .min) == "-292275055-05-16T16:47:04.192Z")
        #expect(RecordedEvent.iso8601(milliseconds: .max) == "292278994-08-17T07:12:55.807Z")
        #expect(RecordedEvent.iso8601(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(RecordedEvent.iso8601(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
    }

    /// Found by the libFuzzer drill's full run: stored data with a lone UTF-16 surrogate escape was
    /// embedded as JSON, which strict parsers (Foundation's) refuse for the whole envelope.
    @Test("data with a lone surrogate escape is shown as base64; a surrogate pair stays JSON")
    func loneSurrogates() throws {
        func json(_ data: String) throws -> [String: Any] {
            let event = RecordedEvent(
                position: 1, id: UUID(), type: "E", schemaVersion: 1, stream: "s", streamVersion: 1, recordedAt: 0,
                actor: Actor(id: "a", role: "admin"), source: Source(clientAddress: "", userAgent: "", host: ""),
                correlationId: UUID(), causationId: nil, reason: nil, data: Array(data.utf8), sealed: nil,
                hash: SHA256Digest(bytes: [UInt8](repeating: 1, count: 32))!)
            return try #require(try JSONSerialization.jsonObject(with: Data(event.json)) as? [String: Any])
        }
        for lone in [#"{"a":"x\uDB2Ay"}"#, #"{"a":"\uDC00"}"#, #"{"a":"\uD800"}"#, #"{"a":"\uD800\u0041"}"#, #"{"\uDB2A":1}"#] {
            let object = try json(lone)
            #expect(object["data"] == nil && object["dataBase64"] as? String == Data(lone.utf8).base64EncodedString(), "\(lone)")
        }
        let pair = try json(#"{"a":"\uD83D\uDE80 \u00e9"}"#)
        #expect((pair["data"] as? [String: String])?["a"] == "🚀 é")
    }

    @Test("sealed data with and without a key slot round-trips; flag 8 without room for a slot is malformed")
    func keySlot() throws {
        func record(_ sealed: SealedData) -> [UInt8] {
            var record: [UInt8] = []
            EnvelopeCodec.encode(
                EnvelopeCodec.Fields(
                    position: 7, streamVersion: 1, recordedAt: 0, stream: "customer-c1",
                    event: ProposedEvent(type: "E", data: Array("{}".utf8), sealed: sealed), actor: Actor(id: "a", role: "admin"),
                    source: Source(clientAddress: "", userAgent: "", host: ""), correlationId: UUID(), causationId: nil, reason: nil),
                into: &record)
            return record + [UInt8](repeating: 0xAB, count: EnvelopeCodec.hashCount)
        }
        let withSlot = SealedData(subject: "customer:c1", ciphertext: [1, 2, 3], keySlot: 0x0102_0304_0506_0708)
        let withoutSlot = SealedData(subject: "customer:c1", ciphertext: [1, 2, 3])
        for sealed in [withSlot, withoutSlot, SealedData(subject: "customer:c1", ciphertext: [], keySlot: 1)] {
            #expect(try record(sealed).withUnsafeBytes { try EnvelopeCodec.decode($0) }.sealed == sealed)
        }
        // A record of an earlier version (no flag 8) is byte for byte what it was: 8 bytes shorter.
        #expect(record(withSlot).count == record(withoutSlot).count + 8)
        var broken = record(SealedData(subject: "customer:c1", ciphertext: []))
        broken[1] |= EnvelopeCodec.Flag.keySlot
        #expect(throws: EnvelopeCodec.Malformed.self) { try broken.withUnsafeBytes { try EnvelopeCodec.decode($0) } }
    }

    @Test("an event with a one-byte stream, type and actor and no data is read back and verifies")
    func smallestInStore() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        defer { store.close() }
        let metadata = AppendMetadata(actor: Actor(id: "a", role: ""), source: Source(clientAddress: "", userAgent: "", host: ""))
        try await store.append("s", [ProposedEvent(type: "E", data: [])], expected: .any, metadata: metadata)
        #expect(try store.event(at: 1)?.type == "E")
        #expect(try store.verify().isIntact)
    }

    @Test("a stored event cut short on disk is reported as corrupt at its position")
    func truncatedOnDisk() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try openStore(dir.path)
            for n in 0..<3 {
                try await store.append("s-1", [event("E", "event \(n)")], expected: .any, metadata: testMetadata)
            }
            store.close()
        }
        let raw = try RawLMDB(directory: dir.path)
        try raw.write("events") { txn, dbi in
            let value = try #require(raw.get(txn, dbi, RawLMDB.key(2)))
            try raw.put(txn, dbi, RawLMDB.key(2), Array(value.prefix(10)))
        }
        raw.close()
        let store = try openStore(dir.path)
        defer { store.close() }
        #expect(try store.event(at: 1)?.position == 1)
        do {
            _ = try store.event(at: 2)
            Issue.record("the truncated event was read")
        } catch .corrupt(let position, _) {
            #expect(position == 2)
        }
    }
}
