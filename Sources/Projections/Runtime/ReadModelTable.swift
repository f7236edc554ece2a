/// A typed handle on one table of a read model: values of `Value` under string keys that sort
/// bytewise (UTF-8), so prefix scans and cursor pagination follow key order.
public struct ReadModelTable<Value: Codable & Sendable>: Sendable {
    public let name: String

    public init(_ name: String) { self.name = name }
}

/// Composite and ordered keys.
public enum ReadModelKey {
    /// Joins parts with NUL, which sorts before every other character, so all keys starting
    /// with `join(a)` + separator group together and `join(a, b)` sorts by `a` then `b`.
    public static func join(_ parts: String...) -> String { parts.joined(separator: "\u{0}") }

    /// The prefix selecting every key that starts with the given parts.
    public static func prefix(_ parts: String...) -> String { parts.joined(separator: "\u{0}") + "\u{0}" }

    /// The parts of a joined key.
    public static func split(_ key: String) -> [String] { key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init) }

    /// A fixed-width decimal form of a signed number whose string order equals numeric order.
    public static func sortable(_ value: Int64) -> String {
        let shifted = UInt64(bitPattern: value) ^ (1 << 63)
        let digits = String(shifted)
        return String(repeating: "0", count: 20 - digits.count) + digits
    }

    /// Inverse of `sortable`.
    public static func number(_ sortable: String) -> Int64? {
        UInt64(sortable).map { Int64(bitPattern: $0 ^ (1 << 63)) }
    }
}
