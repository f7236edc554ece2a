/// Exact sums of money per ISO currency code, in minor units (cents): the operational views never
/// add amounts of different currencies and never use floating point.
///
/// Encoded as a JSON object with sorted keys, so equal totals are equal bytes. Zero entries are
/// dropped so that a retraction returns the value to exactly what it was before.
public typealias CurrencyTotals = [String: Int64]

extension Dictionary where Key == String, Value == Int64 {
    /// Adds `minorUnits` (possibly negative) to `currency`, dropping the entry when it becomes 0.
    mutating func add(_ minorUnits: Int64, _ currency: String) {
        let sum = (self[currency] ?? 0) + minorUnits
        self[currency] = sum == 0 ? nil : sum
    }
}

/// Rounding of exact rationals to minor units, in one place.
enum MinorUnits {
    /// `numerator / denominator` rounded half away from zero; `denominator` must be positive.
    static func divideRounded(_ numerator: Int64, by denominator: Int64) -> Int64 {
        let half = denominator / 2
        return numerator >= 0 ? (numerator + half) / denominator : -((-numerator + half) / denominator)
    }
}
