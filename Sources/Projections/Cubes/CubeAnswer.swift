/// A cube query's answer: one row per combination of the row dimensions' values (sorted by those
/// values), each with its measures and, with a pivot, its measures per column value.
public struct CubeAnswer: Codable, Sendable, Equatable {
    /// One group of cells.
    public struct Row: Codable, Sendable, Equatable {
        /// The values of the row dimensions, in `groupBy` order.
        public var key: [String]
        /// The measures of the whole row (across every column).
        public var values: [String: Int64]
        /// With a pivot: the measures of the row's cells per column value (absent columns are empty).
        public var columns: [String: [String: Int64]]

        /// `numerator / denominator` (e.g. `resolutionMinutes` / `casesResolved`), nil when the
        /// denominator is zero.
        public func ratio(_ numerator: String, _ denominator: String) -> Double? {
            guard let d = values[denominator], d != 0 else { return nil }
            return Double(values[numerator] ?? 0) / Double(d)
        }
    }

    public var cube: CubeKind
    /// The position of the log the answer reflects.
    public var position: UInt64
    public var groupBy: [CubeDimension]
    public var pivot: CubeDimension?
    /// The pivot's values, sorted; empty without a pivot.
    public var columns: [String]
    public var rows: [Row]
    /// The measures over every selected cell.
    public var totals: [String: Int64]
}
