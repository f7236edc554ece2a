import Domain
@testable import EventStore
import Foundation
import Testing

/// `SortedJSONEncoder` writes exactly `JSONEncoder`'s bytes (sorted keys, unescaped slashes): on
/// every event and command of the committed sample, by its fast path alone, and on values chosen
/// to reach every escape, number form and key order, including those it hands to `JSONEncoder`.
@Suite("Sorted JSON encoder")
struct SortedJSONEncoderTests {
    static let encoder = EventRegistry.sortedEncoder

    static func foundation(_ value: some Encodable) throws -> [UInt8] {
        Array(try EventRegistry.encoder.encode(value))
    }

    @Test("every event of the imported sample, of every type, is encoded by the fast path to JSONEncoder's bytes")
    func sampleEvents() async throws {
        let f = try DomainFixture()
        _ = try await CommandImporter(customers: f.customers).importFile(at: PayloadDecoderTests.sampleFile.path)
        var types: Set<String> = []
        var events = 0
        _ = try f.store.scanEvents { recorded in
            let payload = try f.handler.registry.decode(recorded)
            func check<E: DomainEvent>(_ event: E) throws {
                #expect(try Self.encoder.fastPath(event) == Self.foundation(event), "\(recorded.type) at \(recorded.position)")
            }
            try check(payload)
            types.insert(recorded.type)
            events += 1
            return true
        }
        #expect(events == Int(f.head))
        #expect(types.count > 50)
    }

    @Test("every command record of the sample is encoded by the fast path to JSONEncoder's bytes")
    func sampleCommands() throws {
        let text = try Data(contentsOf: PayloadDecoderTests.sampleFile)
        var lines = 0
        for line in text.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let record = try EventRegistry.decoder.decode(CommandRecord.self, from: Data(line))
            #expect(try Self.encoder.fastPath(record) == Self.foundation(record), "line \(lines + 1)")
            lines += 1
        }
        #expect(lines > 5_000)
    }

    struct Sample: Codable {
        var text: String
        var number: Double
        var small: Float
        var count: Int64
        var flag: Bool?
        var when: Date
        var nested: [String: [Int]]
        var list: [String?]
        var kind: Kind
        enum Kind: String, Codable { case alpha, beta }
    }

    @Test func stringsAreEscapedAsJSONEncoderEscapesThem() throws {
        var every = (0..<128).map { String(UnicodeScalar(UInt8($0))) }.joined()
        every += "é中😀\u{2028}\u{2029}\u{FEFF}/\\\""
        for text in [every, "", "plain", "a/b", "\u{7F}", "tab\there"] {
            #expect(try Self.encoder.fastPath([text]) == Self.foundation([text]), "\(text.debugDescription)")
            #expect(try Self.encoder.fastPath([text: 1]) == Self.foundation([text: 1]))
        }
    }

    @Test func numbersAreWrittenAsJSONEncoderWritesThem() throws {
        var doubles: [Double] = [0, -0.0, 1, -1, 60, 0.1, 0.2, 1.5, 1e15, 1e16, 1e21, 1e22, 1e-5, 1e-7, 2.5e-7, 123456789012,
                                 9_007_199_254_740_992, 3.141592653589793, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
                                 .leastNormalMagnitude, 100, 1234.5678, -98765.4321]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let bits = Double(bitPattern: random.next())
            doubles.append(bits.isFinite ? bits : 1)
            doubles.append(Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &random)) / 100)
        }
        doubles = doubles.filter(\.isFinite)
        #expect(try Self.encoder.fastPath(doubles) == Self.foundation(doubles))
        let floats: [Float] = [0, 0.1, 60, 1e-7, 3.4e38, 1.17549435e-38] + doubles.prefix(2_000).map { Float($0) }.filter(\.isFinite)
        #expect(try Self.encoder.fastPath(floats) == Self.foundation(floats))
        let integers: [Int64] = [0, -1, .max, .min, 42]
        #expect(try Self.encoder.fastPath(integers) == Self.foundation(integers))
        #expect(try Self.encoder.fastPath([UInt64.max]) == Self.foundation([UInt64.max]))
    }

    @Test func keysAreSortedAsJSONEncoderSortsThem() throws {
        let keys = ["a10", "a2", "B", "a", "A", "b", "customerId", "customerage", "_x", "Z", "é", "e", "f", "a_b", "aB", "ab", "1", "10", "9", "", " "]
        let dictionary = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        #expect(try Self.encoder.fastPath(dictionary) == Self.foundation(dictionary))
    }

    @Test func structsEnumsOptionalsAndDatesMatch() throws {
        let samples = [
            Sample(text: "x/y", number: 2.5, small: 0.1, count: -7, flag: nil, when: Date(timeIntervalSince1970: 1_764_000_000.123),
                   nested: ["b": [1, 2], "a": []], list: ["p", nil], kind: .beta),
            Sample(text: "", number: 0, small: 0, count: 0, flag: true, when: Date(timeIntervalSince1970: -86_400),
                   nested: [:], list: [], kind: .alpha),
        ]
        #expect(try Self.encoder.fastPath(samples) == Self.foundation(samples))
        #expect(try Self.encoder.encode(samples) == Self.foundation(samples))
    }

    struct Mixed: Encodable {
        func encode(to encoder: any Encoder) throws {
            var keyed = encoder.container(keyedBy: AnyKey.self)
            try keyed.encode(1, forKey: AnyKey(stringValue: "a"))
            var unkeyed = encoder.unkeyedContainer()
            try unkeyed.encode(2)
        }
    }

    /// Containers nested by hand, a super-encoder, a keyed container asked for twice, values
    /// that encode nothing: what synthesized `Codable` never does but a hand-written `encode(to:)`
    /// may, written where each member closes.
    struct Nested: Encodable {
        var depth: Int
        func encode(to encoder: any Encoder) throws {
            var keyed = encoder.container(keyedBy: AnyKey.self)
            try keyed.encode("z", forKey: AnyKey(stringValue: "zeta"))
            var inner = keyed.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: "inner"))
            try inner.encode(depth, forKey: AnyKey(stringValue: "depth"))
            var list = inner.nestedUnkeyedContainer(forKey: AnyKey(stringValue: "list"))
            try list.encode(1)
            var element = list.nestedContainer(keyedBy: AnyKey.self)
            try element.encode(true, forKey: AnyKey(stringValue: "b"))
            try element.encodeNil(forKey: AnyKey(stringValue: "a"))
            try list.encode("after")
            var sub = list.nestedUnkeyedContainer()
            try sub.encode(Empty())
            try keyed.encode(-3, forKey: AnyKey(stringValue: "alpha"))
            try Empty().encode(to: keyed.superEncoder(forKey: AnyKey(stringValue: "parent")))
            var again = encoder.container(keyedBy: AnyKey.self)
            try again.encode(UInt64.max, forKey: AnyKey(stringValue: "big"))
            if depth > 0 { try again.encode(Nested(depth: depth - 1), forKey: AnyKey(stringValue: "child")) }
        }
    }

    struct Empty: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test func handNestedContainersMatch() throws {
        for value in [Nested(depth: 0), Nested(depth: 3)] {
            #expect(try Self.encoder.fastPath(value) == Self.foundation(value))
            #expect(try Self.encoder.fastPath([value, value]) == Self.foundation([value, value]))
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    @Test func whatTheFastPathDoesNotWriteGoesToJSONEncoder() throws {
        let data = ["d": Data([1, 2, 3])]
        let url = ["u": URL(string: "https://example.com/a b")!]
        let decimal = ["m": Decimal(string: "12.50")!]
        #expect(throws: SortedJSONEncoder.Unsupported.self) { try Self.encoder.fastPath(data) }
        #expect(try Self.encoder.encode(data) == Self.foundation(data))
        #expect(try Self.encoder.encode(url) == Self.foundation(url))
        #expect(try Self.encoder.encode(decimal) == Self.foundation(decimal))
        #expect(throws: SortedJSONEncoder.Unsupported.self) { try Self.encoder.fastPath([Double.nan]) }
        #expect(throws: (any Error).self) { try Self.encoder.encode([Double.nan]) }
        // JSONEncoder stops the process on this misuse; the fast path leaves it to JSONEncoder.
        #expect(throws: SortedJSONEncoder.Unsupported.self) { try Self.encoder.fastPath(Mixed()) }
    }
}
