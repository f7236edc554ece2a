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
}
