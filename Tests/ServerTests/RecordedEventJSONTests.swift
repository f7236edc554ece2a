import EventStore
import Foundation
import Testing

/// The one JSON representation of an envelope (`RecordedEvent.json`).
struct RecordedEventJSONTests {
    static let keyOrder = [
        "position", "id", "type", "schemaVersion", "stream", "streamVersion", "recordedAt", "recordedAtMs", "actor",
        "source", "correlationId", "causationId", "reason", "data", "hash",
    ]

    /// Appends one event and returns it as stored.
    func recorded(data: [UInt8], sealed: SealedData? = nil, reason: String? = nil, causation: UUID? = nil) async throws -> RecordedEvent {
        let clock = TestClock(may1st + 250)
        return try await withStore(clock: clock) { store, _ in
            try await store.append(
                "customer-1", [ProposedEvent(id: UUID(uuidString: "9A2C7E1B-0000-4000-8000-000000000001")!, type: "CustomerRegistered",
                                             schemaVersion: 2, data: data, sealed: sealed)],
                expected: .noStream,
                metadata: AppendMetadata(actor: Actor(id: "alice", role: "manager"),
                                         source: Source(clientAddress: "203.0.113.7", userAgent: "Mozilla/5.0 \"x\"", host: "app-1"),
                                         correlationId: UUID(uuidString: "00000000-0000-4000-8000-0000000000AA")!,
                                         causationId: causation, reason: reason))
            return try #require(try store.event(at: 1))
        }
    }

    func object(_ event: RecordedEvent) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(event.json)) as? [String: Any])
    }

    /// The top-level keys in the order they appear in the text.
    func topLevelKeys(_ json: [UInt8]) -> [String] {
        var keys: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var current: [UInt8] = []
        var expectingKey = false
        for byte in json {
            if inString {
                if escaped { escaped = false; current.append(byte); continue }
                if byte == UInt8(ascii: "\\") { escaped = true; current.append(byte); continue }
                if byte == UInt8(ascii: "\"") {
                    inString = false
                    if expectingKey { keys.append(String(decoding: current, as: UTF8.self)); expectingKey = false }
                    continue
                }
                current.append(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                current = []
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth == 1 { expectingKey = true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: ","): if depth == 1 { expectingKey = true }
            default: break
            }
        }
        return keys
    }

    @Test func fieldsInAFixedOrder() async throws {
        let event = try await recorded(data: Array(#"{"name":"Acme"}"#.utf8))
        #expect(topLevelKeys(event.json) == Self.keyOrder)
        let text = String(decoding: event.json, as: UTF8.self)
        #expect(text.hasPrefix(#"{"position":1,"id":"9a2c7e1b-0000-4000-8000-000000000001","type":"CustomerRegistered","schemaVersion":2,"stream":"customer-1","streamVersion":1,"recordedAt":"2024-05-01T09:30:00.250Z","recordedAtMs":1714555800250,"actor":{"id":"alice","role":"manager"},"source":{"clientAddress":"203.0.113.7","userAgent":"Mozilla/5.0 \"x\"","host":"app-1"},"correlationId":"00000000-0000-4000-8000-0000000000aa","causationId":null,"reason":null,"data":{"name":"Acme"},"hash":""#))
        #expect(text.hasSuffix("\"\(event.hash.description)\"}"))
        #expect(event.json == event.json)
    }

    @Test func dataIsEmbeddedCompactAndUnchanged() async throws {
        let data = Array("{ \"b\" : [1, 2.50, -0.0, 1e10, true, null],\n\t\"a\": \"x\\ny \\u00e9 ü\" ,\"nested\": {\"k\": {}} }\n".utf8)
        let event = try await recorded(data: data)
        let text = String(decoding: event.json, as: UTF8.self)
        #expect(!text.contains("\n"))
        #expect(text.contains(#""data":{"b":[1,2.50,-0.0,1e10,true,null],"a":"x\ny \u00e9 ü","nested":{"k":{}}}"#))
        let body = try object(event)
        let embedded = try #require(body["data"] as? [String: Any])
        #expect(embedded["a"] as? String == "x\ny é ü")
        #expect(body["dataBase64"] == nil)
    }

    @Test(arguments: [
        Array("not json".utf8), [], Array("{\"a\":1".utf8), Array("{\"a\":1} {}".utf8), [0xFF, 0xFE],
        Array("{\"a\":01}".utf8), Array("[1,]".utf8), Array("\"tab\there\"".utf8),
        Array(String(repeating: "[", count: 300).utf8) + Array(String(repeating: "]", count: 300).utf8),
    ])
    func dataThatIsNotJSONIsBase64(data: [UInt8]) async throws {
        let event = try await recorded(data: data)
        let body = try object(event)
        #expect(body["data"] == nil)
        #expect(body["dataBase64"] as? String == Data(data).base64EncodedString())
        #expect(!String(decoding: event.json, as: UTF8.self).contains("\n"))
    }

    @Test(arguments: [Array("42".utf8), Array("\"text\"".utf8), Array("[]".utf8), Array(" null ".utf8)])
    func anyJSONValueIsData(data: [UInt8]) async throws {
        let body = try object(try await recorded(data: data))
        #expect(body["data"] != nil)
    }

    @Test func sealedReasonAndCausation() async throws {
        let causation = UUID()
        let sealed = SealedData(subject: "contact-7", ciphertext: [1, 2, 3, 250])
        let event = try await recorded(data: Array("{}".utf8), sealed: sealed, reason: "GDPR \"request\"\u{1}\ttab", causation: causation)
        let keys = topLevelKeys(event.json)
        #expect(keys == Array(Self.keyOrder.dropLast()) + ["sealed", "hash"])
        let body = try object(event)
        #expect(body["reason"] as? String == "GDPR \"request\"\u{1}\ttab")
        #expect(body["causationId"] as? String == causation.uuidString.lowercased())
        let sealedBody = try #require(body["sealed"] as? [String: String])
        #expect(sealedBody == ["subject": "contact-7", "ciphertextBase64": Data([1, 2, 3, 250]).base64EncodedString()])
        #expect(String(decoding: event.json, as: UTF8.self).contains(#"\u0001\t"#))
    }

    @Test func appendJSONAppends() async throws {
        let event = try await recorded(data: Array("{}".utf8))
        var buffer = Array("[".utf8)
        event.appendJSON(to: &buffer)
        #expect(buffer == Array("[".utf8) + event.json)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"), (-1, "1969-12-31T23:59:59.999Z"), (1_714_555_800_250, "2024-05-01T09:30:00.250Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"), (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
    ])
    func timestamps(milliseconds: Int64, text: String) {
        #expect(RecordedEvent.iso8601(milliseconds: milliseconds) == text)
    }
}
