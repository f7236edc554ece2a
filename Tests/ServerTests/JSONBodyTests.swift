import Foundation
import Projections
@testable import Server
import Testing

/// `JSONBody.encode` (the API's answers and request fingerprints) writes `JSONEncoder`'s bytes.
@Suite("JSON body encoding")
struct JSONBodyTests {
    struct Answer: Codable {
        var at: Date
        var until: Date?
        var items: [Item]
        var next: String?
        var totals: [String: Int64]
        struct Item: Codable {
            var id: String
            var amount: Double
            var tags: [String]
            var seen: [Date]
        }
    }

    @Test func answersAreJSONEncodersBytes() throws {
        let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_764_000_000.4567), Date(timeIntervalSince1970: -1.5),
                     Date(timeIntervalSince1970: 4_102_444_800.999)]
        let answer = Answer(at: dates[1], until: nil, items: [
            .init(id: "cust-1/a", amount: 12.5, tags: ["vip", "é\n\"x\""], seen: dates),
            .init(id: "", amount: -0.0, tags: [], seen: []),
        ], next: "b64/+=", totals: ["Zeta": 1, "alpha": -2, "a10": 3, "a2": 4])
        #expect(try JSONBody.encode(answer) == Array(JSONBody.foundationEncoder().encode(answer)))
        let value: JSONValue = ["b": [1, .number(2.5), "x", true, .null], "a": ["nested": [:]], "c": .number(1e21)]
        #expect(try JSONBody.encode(value) == Array(JSONBody.foundationEncoder().encode(value)))
        let statuses: [String: ProjectorStatus.State] = ["x": .live, "y": .parked]
        #expect(try JSONBody.encode(statuses) == Array(JSONBody.foundationEncoder().encode(statuses)))
    }

    /// `JSONValue.json` (command bodies, written without `Codable`) is `JSONEncoder`'s bytes for
    /// random documents: escapes and control characters, non-ASCII, integers near the 1e15 edge,
    /// fractions, exponents, negative zero, nesting, keys that sort differently by bytes.
    @Test func jsonValuesWrittenDirectlyAreJSONEncodersBytes() throws {
        var random = SystemRandomNumberGenerator()
        let texts = ["", "plain", "quote \" back \\ slash /", "line\nbreak\ttab\r\u{8}\u{C}", "\u{0}\u{1}\u{1F}\u{7F}",
                     "Grüße 🚀", "Zeta", "alpha", "a10", "a2", "é"]
        let numbers: [Double] = [0, -0.0, 1, -1, 42, 2.5, -12.75, 0.1, 1e-7, 123_456.789, 999_999_999_999_999, 1e15, -1e15,
                                 1e15 + 2, 1e21, 3.0e-300, Double(Int64.max), 1.7976931348623157e308]
        func make(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &random) {
            case 0: return .string(texts.randomElement(using: &random)!)
            case 1: return .number(Bool.random(using: &random) ? numbers.randomElement(using: &random)!
                                   : Double.random(in: -1e17...1e17, using: &random))
            case 2: return .bool(Bool.random(using: &random))
            case 3: return .null
            case 4: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in make(depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 0...5, using: &random) { members[texts.randomElement(using: &random)!] = make(depth + 1) }
                return .object(members)
            }
        }
        for _ in 0..<2_000 {
            let value = make(0)
            #expect(value.json == Array(try JSONBody.foundationEncoder().encode(value)), "\(value)")
        }
    }
}
