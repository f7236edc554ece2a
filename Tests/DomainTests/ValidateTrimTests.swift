@testable import Domain
import Foundation
import Testing

/// `Validate.trimmed` skips Foundation when there is nothing to trim; it must still trim exactly
/// what `trimmingCharacters(in: .whitespacesAndNewlines)` trims.
struct ValidateTrimTests {
    @Test func trimsWhatFoundationTrims() {
        let ends = ["", " ", "\t", "\n", "\r\n", "\u{00A0}", "\u{2003}", "\u{0085}", "\u{3000}", "\u{200B}", "x", "é", "\u{301}"]
        let middles = ["", "a", "a b", "Jade Trading Ltd", " \u{301}", "👋", "\u{00A0}x\u{00A0}"]
        for head in ends {
            for middle in middles {
                for tail in ends {
                    let value = head + middle + tail
                    #expect(Validate.trimmed(value) == value.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(value.unicodeScalars))")
                }
            }
        }
    }
}
