import Foundation
@testable import Server
import Testing

/// The entity tag of a read-model answer ignores the top-level `position` (reads append access
/// events, so the position moves on every read) and nothing else.
@Suite("Query answer entity tags")
struct QueryAnswerTagTests {
    struct Answer: Encodable {
        var position: UInt64
        var items: [Item]
        var note: String
    }

    struct Item: Encodable {
        var position: UInt64
        var name: String
    }

    func tag(_ answer: Answer) throws -> String {
        try QueryAnswer(position: answer.position, encoding: answer).entityTag
    }

    @Test func onlyTheTopLevelPositionIsIgnored() throws {
        let base = Answer(position: 41, items: [Item(position: 7, name: "a")], note: #"say "position":1 {"#)
        var later = base
        later.position = 12_345
        #expect(try tag(base) == tag(later), "the answer's own position")
        var nested = base
        nested.items[0].position = 8
        #expect(try tag(base) != tag(nested), "a row's position is data")
        var renamed = base
        renamed.items[0].name = "b"
        #expect(try tag(base) != tag(renamed))
        var noted = base
        noted.note = #"say "position":2 {"#
        #expect(try tag(base) != tag(noted), "a string that looks like the member is data")

        let body = try QueryAnswer(position: 41, encoding: base).body
        let range = try #require(QueryAnswer.topLevelPosition(in: body))
        #expect(String(decoding: body[range], as: UTF8.self) == #""position":41"#)
        #expect(QueryAnswer.topLevelPosition(in: Array(#"{"items":[{"position":3}]}"#.utf8)) == nil)
        #expect(QueryAnswer.topLevelPosition(in: Array("[1,2]".utf8)) == nil)
    }
}
