/// How a floating-point number is written as `JSONEncoder` writes it: its `description` without a
/// trailing `.0`. Shared by `SortedJSONEncoder` and the server's JSON values, whose bytes must be
/// `JSONEncoder`'s.
public enum JSONNumber {
    /// The text of `value`; nil for a non-finite number, which JSON cannot hold.
    public static func text<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> String? {
        guard value.isFinite else { return nil }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
