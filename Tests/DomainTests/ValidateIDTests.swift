@testable import Domain
import Foundation
import Testing

/// `Validate.isID` checks ASCII ids byte by byte; it must accept exactly what the `CharacterSet`
/// rule accepts: 1–100 characters, each a letter, a digit, `-`, `_` or `.`.
struct ValidateIDTests {
    private static func rule(_ value: String) -> Bool {
        !value.isEmpty && value.count <= 100
            && value.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    @Test func acceptsWhatTheCharacterSetRuleAccepts() {
        let pieces = ["", "a", "Z", "0", "9", "-", "_", ".", " ", "/", ":", "@", "\u{0}", "\u{7F}", "é", "中", "٣", "😀", "\u{301}",
                      "cust-00042", "A.b_c-1", "\t", "+"]
        for first in pieces {
            for second in pieces {
                for third in ["", "x", "!", "ß"] {
                    let value = first + second + third
                    #expect(Validate.isID(value) == Self.rule(value), "\(Array(value.unicodeScalars))")
                }
            }
        }
        for length in [99, 100, 101] {
            #expect(Validate.isID(String(repeating: "a", count: length)) == (length <= 100))
            #expect(Validate.isID(String(repeating: "é", count: length)) == (length <= 100))
        }
    }
}
