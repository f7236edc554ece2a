@testable import Domain
import EventStore
import Foundation
import Testing

/// The single-pass walker that seals, opens and pseudonymises personal values: it must find every
/// value the catalog's paths name, in any JSON an event or an integrator can hold, and leave every
/// other byte alone.
@Suite("JSON path rewriter")
struct JSONPathRewriterTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func findsMembersElementsAndValuesWithTheirConcretePaths() throws {
        let rewriter = JSONPathRewriter(paths: ["name", "changes[].old", "fields.*", "tags[]"])
        let input = bytes(#"""
            { "amount" : 12.50, "name":"Anna \"A\" M\u00fcller", "changes":[{"old":"a/b","new":"x"},{"old":"c\\d"}],
              "fields":{"z":"1","a":"2","n":3}, "tags":["t1","t2"], "nested":{"name":"not a path"} }
            """#)
        var seen: [String: String] = [:]
        let output = try rewriter.rewrite(input) { path, token in
            seen[path] = JSONPathRewriter.string(of: token)
            return JSONPathRewriter.token("<\(path)>")
        }
        #expect(seen == ["name": "Anna \"A\" Müller", "changes/0/old": "a/b", "changes/1/old": "c\\d",
                         "fields/z": "1", "fields/a": "2", "tags/0": "t1", "tags/1": "t2"])
        // Everything else, whitespace and the number's spelling included, is unchanged.
        #expect(String(decoding: output, as: UTF8.self) == #"""
            { "amount" : 12.50, "name":"<name>", "changes":[{"old":"<changes/0/old>","new":"x"},{"old":"<changes/1/old>"}],
              "fields":{"z":"<fields/z>","a":"<fields/a>","n":3}, "tags":["<tags/0>","<tags/1>"], "nested":{"name":"not a path"} }
            """#)
    }

    /// Member names are compared as bytes unless they hold an escape; an escaped name (valid JSON
    /// an integrator may send) must still match its path, or a personal value would stay in the
    /// clear.
    @Test func matchesMemberNamesWrittenWithEscapes() throws {
        let rewriter = JSONPathRewriter(paths: ["name", "fields.*"])
        let input = bytes(#"{"na\u006de":"Anna","n\u0061me2":"x","fields":{"\u00e9t\u00e9":"1","a":"2"},"nam":"y"}"#)
        var seen: [String: String] = [:]
        _ = try rewriter.rewrite(input) { path, token in
            seen[path] = JSONPathRewriter.string(of: token)
            return nil
        }
        #expect(seen == ["name": "Anna", "fields/été": "1", "fields/a": "2"])
    }

    @Test func returnsTheInputWhenNothingIsReplaced() throws {
        let input = bytes(#"{"name":"Anna","n":[1,true,null,{"a":false}]}"#)
        #expect(try JSONPathRewriter(paths: ["name"]).rewrite(input) { _, _ in nil } == input)
        #expect(try JSONPathRewriter(paths: ["other"]).rewrite(input) { _, _ in Array("1".utf8) } == input)
    }

    @Test(arguments: [#"{"name":"Anna""#, #"{"name" "Anna"}"#, #"{"name":"Anna"} x"#, #"{"name":}"#, #"[1,2"#,
                      #"{"name":"Anna}"#, "", #"{,}"#, #"{"a":@}"#])
    func refusesMalformedInput(_ text: String) {
        #expect(throws: JSONPathRewriter.Malformed.self) {
            _ = try JSONPathRewriter(paths: ["name"]).rewrite(Array(text.utf8)) { _, _ in nil }
        }
    }

    @Test func tokensRoundTripThroughJSON() throws {
        for text in ["plain", "quote \" and backslash \\", "line\nbreak\ttab\r", "\u{1}\u{1F}", "Grüße 🚀", ""] {
            let token = JSONPathRewriter.token(text)
            #expect(try JSONDecoder().decode(String.self, from: Data(token)) == text)
            #expect(JSONPathRewriter.string(of: token[...]) == text)
        }
        let object = JSONPathRewriter.object(["b": JSONPathRewriter.token("2")[...], "a/0": JSONPathRewriter.token("1")[...]])
        #expect(String(decoding: object, as: UTF8.self) == #"{"a/0":"1","b":"2"}"#)
    }

    @Test func topLevelStringsIgnoreNestedMembersAndOtherTypes() {
        let found = JSONPathRewriter.topLevelStrings(in: bytes(#"{"inner":{"customerId":"no"},"customerId":"c-1","contactId":7}"#),
                                                     named: ["customerId", "contactId"])
        #expect(found == ["customerId": "c-1"])
        #expect(JSONPathRewriter.topLevelStrings(in: bytes("{"), named: ["customerId"]) == nil)
    }

    /// Events sealed before the walker replaced `JSONSerialization` hold a plaintext that
    /// `JSONSerialization` wrote; they must still open.
    @Test func opensPlaintextWrittenByEarlierVersions() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rewriter-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ring = try SubjectKeyRing(dataDirectory: directory, masterKeyPath: directory + "/master.key", createMasterKey: true)
        let key = try #require(try ring.sealingKeys(for: ["customer:c-1"], links: [:])["customer:c-1"])
        let eventId = UUID()
        let plaintext = try JSONSerialization.data(withJSONObject: ["name": "Anna \"A\"/Ü", "email": "anna@example.org"],
                                                   options: [.sortedKeys, .withoutEscapingSlashes])
        let sealed = SealedData(subject: "customer:c-1", ciphertext: key.seal(Array(plaintext), eventId: withUnsafeBytes(of: eventId.uuid) { Array($0) }),
                                keySlot: key.slot)
        let publicData = bytes(#"{"customerId":"c-1","email":"(sealed)","kind":"person","name":"(sealed)"}"#)
        let opened = PersonalDataProtection.open(type: "CustomerRegistered", data: publicData, sealed: sealed, eventId: eventId, keyRing: ring)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(opened)) as? [String: String])
        #expect(object["name"] == "Anna \"A\"/Ü")
        #expect(object["email"] == "anna@example.org")
        #expect(object["kind"] == "person")
        // Without the key every personal value reads as the marker.
        let blind = PersonalDataProtection.open(type: "CustomerRegistered", data: publicData, sealed: sealed, eventId: eventId, keyRing: nil)
        #expect(String(decoding: blind, as: UTF8.self) == #"{"customerId":"c-1","email":"erased","kind":"person","name":"erased"}"#)
    }
}
