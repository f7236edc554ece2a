/// Days from opening to the standing outcome, for the opportunities of one group closed in a
/// period, in buckets of `bucketDays`.
public struct CycleLengthHistogram: Sendable, Codable, Equatable {
    /// Cycles of `fromDays ..< toDays` days.
    public struct Bucket: Sendable, Codable, Equatable {
        public var fromDays: Int64
        public var toDays: Int64
        public var won: Int
        public var lost: Int
    }

    public var group: String
    public var bucketDays: Int64
    /// Consecutive buckets from 0 up to the longest cycle.
    public var buckets: [Bucket]
    public var count: Int
    /// Median cycle length in days (nearest rank), 0 when empty.
    public var medianDays: Int64
}
