import Foundation

/// How figures are written in progress lines and the markdown report: events/s with thousands
/// separators, ratios and latencies with a fixed number of decimals.
enum Format {
    /// `1234567.8` → `1,234,568`.
    static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let rounded = Int(value.rounded())
        let digits = String(rounded.magnitude)
        var out = ""
        for (offset, character) in digits.reversed().enumerated() {
            if offset > 0, offset % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (rounded < 0 ? "-" : "") + String(out.reversed())
    }

    /// `value` with `places` decimals.
    static func decimal(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.\(places)f", value)
    }

    /// A ratio as `2.41×`.
    static func ratio(_ value: Double) -> String { decimal(value, 2) + "×" }

    /// A fraction as `61 %`.
    static func percent(_ value: Double) -> String { decimal(value * 100, 0) + " %" }
}
