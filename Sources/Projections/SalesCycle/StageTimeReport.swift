/// Time spent in each stage by one group: the stays that ended in the period, with average, median
/// and 90th percentile (nearest rank) in ms.
public struct StageTimeReport: Sendable, Codable, Equatable {
    /// One stage's figures.
    public struct Stage: Sendable, Codable, Equatable {
        public var stage: String
        public var count: Int
        public var averageMs: Int64
        public var medianMs: Int64
        public var p90Ms: Int64
    }

    public var group: String
    /// Sorted by stage name.
    public var stages: [Stage]
}
