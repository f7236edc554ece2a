@testable import Domain
import EventStore
import Foundation
import Testing

/// `PayloadDecoder` gives what `JSONDecoder` (`EventRegistry.decoder`) gives: on every command and
/// every event of the committed sample by its fast path alone, and on inputs the fast path declines
/// by handing them over.
@Suite("Payload decoder")
struct PayloadDecoderTests {
    static let sampleFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/sample-commands.ndjson")

    /// Both decodings of `bytes` as `T`, re-encoded (sorted keys), which must be equal.
    static func bothWays<T: Codable>(_ type: T.Type, _ bytes: [UInt8]) throws -> (fast: Data, foundation: Data) {
        let fast = try PayloadDecoder.decodeFast(type, from: bytes)
        let foundation = try EventRegistry.decoder.decode(type, from: Data(bytes))
        return (try EventRegistry.encoder.encode(fast), try EventRegistry.encoder.encode(foundation))
    }

    @Test("every command record of the sample decodes by the fast path to what JSONDecoder gives")
    func sampleCommands() throws {
        let text = try Data(contentsOf: Self.sampleFile)
        var lines = 0
        for line in text.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let (fast, foundation) = try Self.bothWays(CommandRecord.self, Array(line))
            #expect(fast == foundation, "line \(lines + 1)")
            lines += 1
        }
        #expect(lines > 5_000)
    }

    @Test("every event of the imported sample decodes by the fast path to what JSONDecoder gives, for every type")
    func sampleEvents() async throws {
        let f = try DomainFixture()
        _ = try await CommandImporter(customers: f.customers).importFile(at: Self.sampleFile.path)
        var types: Set<String> = []
        var events = 0
        _ = try f.store.scanEvents { recorded in
            func check<E: DomainEvent>(_ payload: E) throws {
                let (fast, foundation) = try Self.bothWays(E.self, recorded.data)
                #expect(fast == foundation, "\(recorded.type) at \(recorded.position)")
            }
            let payload = try f.handler.registry.decode(recorded)
            try check(payload)
            types.insert(recorded.type)
            events += 1
            return true
        }
        #expect(events == Int(f.head))
        #expect(types.count > 50)
    }

    @Test("damaged command lines get the same outcome from PayloadDecoder as from JSONDecoder: the same record or a failure")
    func damagedLines() throws {
        let text = try Data(contentsOf: Self.sampleFile)
        let lines = text.split(separator: UInt8(ascii: "\n")).prefix(400).map(Array.init)
        var random = SimulationRandom(seed: 29)
        let replacements = Array(#"{}[]":,\u0 -+.eE1a"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xFF]
        var accepted = 0
        for round in 0..<4_000 {
            var bytes = lines[round % lines.count]
            for _ in 0...Int.random(in: 0...2, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[at] = replacements.randomElement(using: &random)!
                case 1: bytes.remove(at: at)
                default: bytes.insert(replacements.randomElement(using: &random)!, at: at)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let viaFoundation = Result { try EventRegistry.decoder.decode(CommandRecord.self, from: Data(bytes)) }
            let viaPayload = Result { try PayloadDecoder.decode(CommandRecord.self, from: bytes) }
            switch (viaFoundation, viaPayload) {
            case (.success(let a), .success(let b)):
                #expect(try EventRegistry.encoder.encode(a) == EventRegistry.encoder.encode(b), "\(String(decoding: bytes, as: UTF8.self))")
                accepted += 1
            case (.failure, .failure):
                break
            default:
                Issue.record("JSONDecoder: \(viaFoundation); PayloadDecoder: \(viaPayload); input \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        // Some damage leaves a valid record (a changed letter in a name): both paths are exercised.
        #expect(accepted > 100)
    }

    struct Sample: Codable, Equatable {
        var text: String
        var count: Int
        var small: Int8?
        var ratio: Double?
        var at: Date?
        var tags: [String]
        var nested: [String: [UInt64]]?
    }

    @Test("strings with escapes, non-ASCII text and surrogate pairs, and numbers at their limits")
    func edgeValues() throws {
        let inputs = [
            #"{"text":"a\"b\\c\/d\b\f\n\r\t \u00e9\u20ac \ud83d\udc4b é€👋","count":-9223372036854775808,"tags":[]}"#,
            #"{"text":"","count":9223372036854775807,"small":-128,"ratio":-1.5e-300,"tags":["x","",""],"nested":{"":[0,18446744073709551615]}}"#,
            #" { "count" : 0 , "text" : "x" , "tags" : [ "a" ] , "at" : "2026-01-02T03:04:05.678Z", "ratio": 0.1 } "#,
            #"{"text":"unknown members are ignored","count":1,"tags":[],"extra":{"deep":[1,{"x":null}]},"small":null}"#,
        ]
        for input in inputs {
            let (fast, foundation) = try Self.bothWays(Sample.self, Array(input.utf8))
            #expect(fast == foundation, "\(input)")
            #expect(try PayloadDecoder.decode(Sample.self, from: Array(input.utf8)) == EventRegistry.decoder.decode(Sample.self, from: Data(input.utf8)))
        }
    }

    @Test("what the fast path declines, JSONDecoder decides: the same value, or its error")
    func declined() throws {
        let inputs = [
            #"{"text":"x","count":1.0,"tags":[]}"#,                 // an integer with a fraction
            #"{"text":"x","count":1e2,"tags":[]}"#,                 // an integer with an exponent
            #"{"text":"x","count":1,"count":2,"tags":[]}"#,         // a repeated member
            #"{"text":"x","count":1,"tags":[],"small":1,"small":2}"#,  // a repeated optional member
            #"{"text":"\ud83d","count":1,"tags":[]}"#,              // a lone surrogate
            #"{"text":"x","count":1,"small":300,"tags":[]}"#,       // does not fit
            #"{"text":"x","count":01,"tags":[]}"#,                  // a leading zero
            #"{"text":"x","count":1,"tags":[]} x"#,                 // bytes after the value
            #"{"text":"x","count":1,"tags":["a",]}"#,               // a trailing comma
            #"{"text":"x","count":"1","tags":[]}"#,                 // a string for a number
            #"{"text":"x","tags":[]}"#,                             // a missing member
            #"{"text":"x","count":1,"tags":[],"at":"yesterday"}"#,  // not a time
        ]
        for input in inputs {
            let bytes = Array(input.utf8)
            #expect(throws: (any Error).self, "\(input)") { try PayloadDecoder.decodeFast(Sample.self, from: bytes) }
            let viaFoundation = Result { try EventRegistry.decoder.decode(Sample.self, from: Data(bytes)) }
            let viaPayload = Result { try PayloadDecoder.decode(Sample.self, from: bytes) }
            switch (viaFoundation, viaPayload) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(input)")
            case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "\(input)")
            default: Issue.record("\(input): JSONDecoder gave \(viaFoundation), PayloadDecoder \(viaPayload)")
            }
        }
        // Bytes that are not UTF-8 inside a string.
        var invalid = Array(#"{"text":"x"#.utf8)
        invalid += [0xC3, 0x28]
        invalid += Array(#"","count":1,"tags":[]}"#.utf8)
        #expect(throws: (any Error).self) { try PayloadDecoder.decodeFast(Sample.self, from: invalid) }
        #expect(throws: (any Error).self) { try PayloadDecoder.decode(Sample.self, from: invalid) }
    }
}
