import Foundation

/// Field checks shared by commands; each throws `DomainError.invalid` naming the field.
enum Validate {
    /// `value` without leading and trailing whitespace and newlines, as `trimmingCharacters(in:)`
    /// gives it; a string with none at either end (nearly every one) is returned as it is, without
    /// Foundation's trip through `NSString` (4 % of an import's CPU).
    static func trimmed(_ value: String) -> String {
        let set = CharacterSet.whitespacesAndNewlines
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
              set.contains(first) || set.contains(last) else { return value }
        return value.trimmingCharacters(in: set)
    }

    /// Trimmed, non-empty, at most `max` characters.
    static func text(_ value: String, _ field: String, max: Int = 200) throws(DomainError) -> String {
        let trimmed = trimmed(value)
        guard !trimmed.isEmpty else { throw .invalid(field: field, reason: "must not be empty") }
        guard trimmed.count <= max else { throw .invalid(field: field, reason: "longer than \(max) characters") }
        return trimmed
    }

    /// Like `text`, but nil stays nil and an empty string becomes nil.
    static func optionalText(_ value: String?, _ field: String, max: Int = 2000) throws(DomainError) -> String? {
        guard let value, !trimmed(value).isEmpty else { return nil }
        return try text(value, field, max: max)
    }

    /// A plausible e-mail address: one `@`, a dot in the domain, no spaces.
    static func email(_ value: String?, _ field: String = "email") throws(DomainError) -> String? {
        guard let value = try optionalText(value, field, max: 254) else { return nil }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), !value.contains(where: \.isWhitespace) else {
            throw .invalid(field: field, reason: "'\(value)' is not an e-mail address")
        }
        return value
    }

    /// A phone number: digits with optional `+`, spaces, dashes, dots and parentheses; 6–20 digits.
    static func phone(_ value: String?, _ field: String = "phone") throws(DomainError) -> String? {
        guard let value = try optionalText(value, field, max: 40) else { return nil }
        let allowed = Set("0123456789+-. ()")
        let digits = value.filter(\.isNumber).count
        guard value.allSatisfy({ allowed.contains($0) }), (6...20).contains(digits) else {
            throw .invalid(field: field, reason: "'\(value)' is not a phone number")
        }
        return value
    }

    /// An identifier: 1–100 characters of letters, digits, `-`, `_`, `.`.
    static func id(_ value: String, _ field: String) throws(DomainError) -> String {
        guard isID(value) else {
            throw .invalid(field: field, reason: "'\(value.prefix(40))' is not a valid id (letters, digits, '-', '_', '.')")
        }
        return value
    }

    /// Whether `value` is an identifier. Ids are nearly always ASCII, checked byte by byte;
    /// `CharacterSet` (which also admits non-ASCII letters and digits) decides the rest. Every
    /// command names a few ids, and the `CharacterSet` test of each scalar was 4 % of an import's
    /// deciding.
    static func isID(_ value: String) -> Bool {
        guard !value.isEmpty else { return false }
        var ascii = true
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            case 0x80...: ascii = false
            default: return false
            }
        }
        if ascii { return value.utf8.count <= 100 }
        return value.count <= 100
            && value.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) })
    }

    /// A date no earlier than 1970 and no later than 2200.
    static func date(_ value: Date, _ field: String) throws(DomainError) -> Date {
        guard value.timeIntervalSince1970 >= 0, value.timeIntervalSince1970 < 7_258_118_400 else {
            throw .invalid(field: field, reason: "date out of range")
        }
        return value
    }
}
