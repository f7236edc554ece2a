import Foundation
@testable import Projections
import Testing

/// The binary read-model value codec: round trips, determinism, and robustness against bytes
/// that are not a value of the requested type.
struct ReadModelCodecTests {
    struct Address: Codable, Equatable, Sendable {
        var street: String
        var zip: String?
    }

    enum Shape: Codable, Equatable, Sendable {
        case circle(radius: Double)
        case rect(width: Int, height: Int)
        case labelled(String, Int64)
        case nothing
    }

    enum Kind: String, Codable, Sendable, Hashable {
        case alpha, beta, gamma, delta
    }

    /// Encodes itself by hand: a nested keyed container, a nested unkeyed container and fields
    /// interleaved between them.
    struct Custom: Codable, Equatable, Sendable {
        var name: String
        var point: (x: Int, y: Int)
        var values: [UInt64]

        enum Keys: String, CodingKey { case name, point, values, x, y }

        init(name: String, point: (x: Int, y: Int), values: [UInt64]) {
            self.name = name
            self.point = point
            self.values = values
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var point = container.nestedContainer(keyedBy: Keys.self, forKey: .point)
            var values = container.nestedUnkeyedContainer(forKey: .values)
            try container.encode(name, forKey: .name)
            try point.encode(self.point.x, forKey: .x)
            for value in self.values { try values.encode(value) }
            try point.encode(self.point.y, forKey: .y)
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            name = try container.decode(String.self, forKey: .name)
            let point = try container.nestedContainer(keyedBy: Keys.self, forKey: .point)
            self.point = (try point.decode(Int.self, forKey: .x), try point.decode(Int.self, forKey: .y))
            var values = try container.nestedUnkeyedContainer(forKey: .values)
            var decoded: [UInt64] = []
            while !values.isAtEnd { decoded.append(try values.decode(UInt64.self)) }
            self.values = decoded
        }

        static func == (a: Custom, b: Custom) -> Bool {
            a.name == b.name && a.point == b.point && a.values == b.values
        }
    }

    /// A single-value wrapper, as money amounts and ids often are.
    struct Cents: Codable, Equatable, Sendable {
        var value: Int64
        init(_ value: Int64) { self.value = value }
        init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int64.self) }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    struct Sample: Codable, Equatable, Sendable {
        var id: String
        var count: Int
        var negative: Int64
        var large: UInt64
        var ratio: Double
        var flag: Bool
        var at: Date
        var present: String?
        var absent: Int?
        var tags: [String]
        var none: [Int]
        var emptyText: String
        var nested: [[Address]]
        var byName: [String: Int]
        var byNumber: [Int: String]
        var byKind: [Kind: Int]
        var shapes: [Shape]
        var unicode: String
        var kinds: Set<Kind>
        var holes: [Int?]
        var custom: Custom
        var cents: [Cents]
        var small: Int8
        var float: Float
    }

    static func sample() -> Sample {
        Sample(
            id: "c-42", count: 7, negative: -1_234_567_890_123, large: UInt64.max, ratio: -0.125, flag: true,
            at: Date(timeIntervalSince1970: 1_700_000_000.5), present: "here", absent: nil,
            tags: ["b", "a", "c"], none: [], emptyText: "",
            nested: [[Address(street: "Main 1", zip: "1000"), Address(street: "", zip: nil)], [], [Address(street: "x", zip: "")]],
            byName: ["zeta": 1, "alpha": -2, "": 0, "Ünïcødé": 3], byNumber: [10: "ten", -1: "minus one", 9: "nine"],
            byKind: [.alpha: 1, .gamma: 3, .delta: 4], shapes: [.circle(radius: 2.5), .rect(width: 3, height: -4), .labelled("l", Int64.min), .nothing],
            unicode: "Grüße, 世界 🌍 \u{0} end", kinds: [.beta, .alpha], holes: [1, nil, 3],
            custom: Custom(name: "custom", point: (x: -5, y: 6), values: [0, 1, 1 << 40]), cents: [Cents(-99), Cents(0)],
            small: -128, float: 1.5)
    }

    func encode<V: Encodable>(_ value: V) throws -> [UInt8] {
        try ReadModelCodec.encode(value, encoder: ReadModelCodec.encoder())
    }

    func decode<V: Decodable>(_ type: V.Type, _ bytes: [UInt8]) throws -> V {
        try bytes.withUnsafeBytes { try ReadModelCodec.decode(V.self, from: $0, decoder: ReadModelCodec.decoder()) }
    }

    @Test func representativeValuesRoundTrip() throws {
        let value = Self.sample()
        let bytes = try encode(value)
        #expect(try decode(Sample.self, bytes) == value)
        // Much smaller than the JSON it replaces.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(bytes.count < (try encoder.encode(value)).count)
    }

    @Test func scalarsRoundTripThroughFastAndGeneralPaths() throws {
        for value: UInt64 in [0, 1, 127, 128, 300, 1 << 35, UInt64.max] {
            let fast = try encode(value)
            #expect(fast == (try BinaryValueEncoder().encode(value)))
            #expect(try decode(UInt64.self, fast) == value)
            #expect(try fast.withUnsafeBytes { try BinaryValueDecoder().decode(UInt64.self, from: $0) } == value)
        }
        for value: Int in [0, -1, 1, -64, 64, Int.min, Int.max] {
            #expect(try decode(Int.self, try encode(value)) == value)
            #expect(try decode(Int64.self, try encode(Int64(value))) == Int64(value))
        }
        for value in ["", "a", "Grüße 🌍", String(repeating: "x", count: 1000)] {
            #expect(try decode(String.self, try encode(value)) == value)
        }
        #expect(try decode(Bool.self, try encode(true)) == true)
        #expect(try decode(Bool.self, try encode(false)) == false)
        // An integer stored unsigned reads as a signed type when it fits, and the reverse.
        #expect(try decode(Int.self, try encode(UInt64(5))) == 5)
        #expect(try decode(UInt64.self, try encode(5)) == 5)
        #expect(throws: (any Error).self) { try decode(UInt64.self, try encode(-5)) }
        #expect(throws: (any Error).self) { try decode(Int.self, try encode(UInt64.max)) }
    }

    @Test func topLevelCollectionsAndOptionalsRoundTrip() throws {
        #expect(try decode([String: Int64].self, try encode(["b": 2, "a": -1] as [String: Int64])) == ["b": 2, "a": -1])
        #expect(try decode([Int: String].self, try encode([3: "c", -7: "m"])) == [3: "c", -7: "m"])
        #expect(try decode([Address].self, try encode([Address(street: "s", zip: nil)])) == [Address(street: "s", zip: nil)])
        #expect(try decode(Int?.self, try encode(Int?.none)) == nil)
        #expect(try decode(Int?.self, try encode(Int?.some(4))) == 4)
        #expect(try decode([Int].self, try encode([Int]())) == [])
        #expect(try decode(Shape.self, try encode(Shape.labelled("x", -3))) == .labelled("x", -3))
        let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -86_400.5), Date(timeIntervalSince1970: 1_700_000_000.0001)]
        let decodedDates = try decode([Date].self, try encode(dates))
        for (a, b) in zip(dates, decodedDates) {
            #expect(abs(a.timeIntervalSince1970 - b.timeIntervalSince1970) < 1e-6)
        }
    }

    @Test func keyedContainersAnswerContainsAllKeysAndNil() throws {
        struct Probe: Decodable {
            var keys: [String]
            var hasZip: Bool
            var zipIsNil: Bool
            enum Keys: String, CodingKey { case street, zip, other }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: Keys.self)
                keys = container.allKeys.map(\.stringValue)
                hasZip = container.contains(.zip)
                zipIsNil = try container.decodeNil(forKey: .zip)
                #expect(!container.contains(.other))
                #expect(throws: DecodingError.self) { try container.decodeNil(forKey: .other) }
            }
        }
        struct WithNil: Encodable {
            enum Keys: String, CodingKey { case street, zip }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode("s", forKey: .street)
                try container.encodeNil(forKey: .zip)
            }
        }
        let probe = try decode(Probe.self, try encode(WithNil()))
        #expect(probe.keys == ["street", "zip"])
        #expect(probe.hasZip && probe.zipIsNil)
    }

    @Test func equalValuesAreEqualBytesWhateverTheInsertionOrder() throws {
        var generator = SystemRandomNumberGenerator()
        let keys = (0..<200).map { "key-\($0 * 7919 % 1000)" }
        let numbers = Array(0..<200)
        var reference: [UInt8]?
        var referenceNumbers: [UInt8]?
        var referenceSample: [UInt8]?
        var orders = Set<[String]>()
        for _ in 0..<50 {
            var byName: [String: Int] = [:]
            var byNumber: [Int: String] = [:]
            var byKind: [Kind: Int] = [:]
            var kinds = Set<Kind>()
            for key in keys.shuffled(using: &generator) { byName[key] = key.count }
            for number in numbers.shuffled(using: &generator) { byNumber[number] = "\(number)" }
            for kind in [Kind.alpha, .beta, .gamma, .delta].shuffled(using: &generator) {
                byKind[kind] = kind.rawValue.count
                kinds.insert(kind)
            }
            orders.insert(Array(byName.keys))
            var sample = Self.sample()
            sample.byName = byName
            sample.byNumber = byNumber
            sample.byKind = byKind
            sample.kinds = kinds
            let bytes = try encode(byName)
            let numberBytes = try encode(byNumber)
            let sampleBytes = try encode(sample)
            if reference == nil {
                reference = bytes
                referenceNumbers = numberBytes
                referenceSample = sampleBytes
            }
            #expect(bytes == reference)
            #expect(numberBytes == referenceNumbers)
            #expect(sampleBytes == referenceSample)
            #expect(try decode([String: Int].self, bytes) == byName)
            #expect(try decode(Sample.self, sampleBytes) == sample)
        }
        // The dictionaries really did iterate in different orders.
        #expect(orders.count > 1)
    }

    @Test(arguments: [
        [],
        [0xFF],
        [0x09],
        [BinaryValueTag.object, 200],
        [BinaryValueTag.array, 5, BinaryValueTag.true],
        [BinaryValueTag.string, 10, 0x61],
        [BinaryValueTag.uint] + [UInt8](repeating: 0xFF, count: 11),
        [BinaryValueTag.double, 1, 2, 3],
        [BinaryValueTag.object, 1, 3, 0x61, 0x62],
        [BinaryValueTag.true, BinaryValueTag.true],
        Array("{\"id\": ".utf8),
    ] as [[UInt8]])
    func garbageThrows(bytes: [UInt8]) {
        #expect(throws: (any Error).self) { try decode(Sample.self, bytes) }
        #expect(throws: (any Error).self) { try decode(UInt64.self, bytes) }
        #expect(throws: (any Error).self) { try decode(String.self, bytes) }
        #expect(throws: (any Error).self) { try decode([Int].self, bytes) }
    }

    @Test func deepNestingThrowsInsteadOfOverflowingTheStack() {
        let deep = Array([[UInt8]](repeating: [BinaryValueTag.array, 1], count: 100_000).joined())
        #expect(throws: (any Error).self) { try decode([Int].self, deep) }
        #expect(throws: (any Error).self) { try decode([[[Int]]].self, deep) }
        // A type that reads nothing leaves the whole value to the trailing-bytes check's walk.
        struct Ignoring: Decodable { init(from decoder: any Decoder) throws {} }
        #expect(throws: (any Error).self) { try decode(Ignoring.self, deep) }
    }

    @Test func randomBytesNeverCrash() throws {
        var generator = SystemRandomNumberGenerator()
        let valid = try encode(Self.sample())
        for round in 0..<2_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...9, using: &generator) }
            } else {
                // A valid value with a few bytes changed or cut off.
                bytes = valid
                for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            }
            _ = try? decode(Sample.self, bytes)
            _ = try? decode([String: [Int?]].self, bytes)
            _ = try? decode(UInt64.self, bytes)
        }
    }

    @Test func bytesOfAnotherTypeThrow() throws {
        #expect(throws: DecodingError.self) { try decode(Sample.self, try encode(Address(street: "s", zip: "z"))) }
        #expect(throws: DecodingError.self) { try decode(Address.self, try encode(Self.sample().tags)) }
        #expect(throws: DecodingError.self) { try decode(Int.self, try encode("12")) }
        #expect(throws: DecodingError.self) { try decode(String.self, try encode(12)) }
        #expect(throws: DecodingError.self) { try decode(Bool.self, try encode(UInt64(1))) }
        #expect(throws: DecodingError.self) { try decode(Int8.self, try encode(1_000)) }
        #expect(throws: DecodingError.self) { try decode([Int].self, try encode(["a"])) }
        #expect(throws: DecodingError.self) { try decode(Shape.self, try encode(Address(street: "s", zip: nil))) }
        #expect(throws: DecodingError.self) { try decode(Int.self, try encode(Int?.none)) }
    }

    @Test func valuesStoredAsJSONStillDecode() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        var value = Self.sample()
        value.at = Date(timeIntervalSince1970: 1_700_000_000.25)
        #expect(try decode(Sample.self, [UInt8](try encoder.encode(value))) == value)
        #expect(try decode(UInt64.self, [UInt8](try encoder.encode(UInt64(42)))) == 42)
    }

    @Test("counter maps (cube cells) decode on the fast path exactly as the general decoder does; other objects are left to it")
    func counterMaps() throws {
        let encoder = ReadModelCodec.encoder()
        let maps: [[String: Int64]] = [
            [:], ["casesOpened": 1], ["ordersPlacedAmount.EUR": 798_000, "orderLines": 3, "unitsOrdered": -4],
            ["a": .max, "b": .min, "ü": 0, "x.y": 127, "z": 128],
        ]
        for map in maps {
            let bytes = try ReadModelCodec.encode(map, encoder: encoder)
            let fast = try bytes.withUnsafeBytes { try ReadModelCodec.decode([String: Int64].self, from: $0, decoder: ReadModelCodec.decoder()) }
            let general = try bytes.withUnsafeBytes { try BinaryValueDecoder().decode([String: Int64].self, from: $0) }
            #expect(fast == map)
            #expect(general == map)
        }
        // An object holding a string is not a counter map: the general decoder throws.
        let other = try ReadModelCodec.encode(["a": "text"], encoder: encoder)
        #expect(throws: (any Error).self) {
            try other.withUnsafeBytes { try ReadModelCodec.decode([String: Int64].self, from: $0, decoder: ReadModelCodec.decoder()) }
        }
        // Cut short: refused, not misread.
        let cut = Array(try ReadModelCodec.encode(["abc": 5], encoder: encoder).dropLast())
        #expect(throws: (any Error).self) {
            try cut.withUnsafeBytes { try ReadModelCodec.decode([String: Int64].self, from: $0, decoder: ReadModelCodec.decoder()) }
        }
    }
}
