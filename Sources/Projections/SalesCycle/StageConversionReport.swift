/// Stage conversion of one group over a period: the direct moves between stages (and to `won` /
/// `lost`) made in the period, and, for the opportunities opened in the period (the cohort), how
/// many entered each stage and what share of those later reached each later stage or `won`.
public struct StageConversionReport: Sendable, Codable, Equatable {
    /// Direct moves from → to.
    public struct Move: Sendable, Codable, Equatable {
        public var from: String
        public var to: String
        public var count: Int
    }

    /// Cohort opportunities that entered a stage, and their share of the cohort.
    public struct Entered: Sendable, Codable, Equatable {
        public var stage: String
        public var count: Int
        public var share: Double
    }

    /// Of the cohort opportunities that entered `from`, how many reached `to` afterwards.
    public struct Reach: Sendable, Codable, Equatable {
        public var from: String
        public var to: String
        public var count: Int
        /// `count` / opportunities that entered `from`.
        public var share: Double
    }

    public var group: String
    public var moves: [Move]
    /// Opportunities opened in the period.
    public var cohort: Int
    /// In stage order (process order, then `won`).
    public var entered: [Entered]
    public var reach: [Reach]
}
