/// Repeated measurements of one figure and their median.
///
/// The median, not the mean, is the headline: one repetition that lands on a slow minute of the
/// shared disk moves a mean a lot and a median of five hardly at all. The samples stay in the
/// report so a reader can see the spread.
public struct SampleSet: Sendable, Codable, Equatable {
    /// In measurement order, one per repetition.
    public var samples: [Double]
    public var median: Double
    public var min: Double
    public var max: Double

    public init(_ samples: [Double]) {
        self.samples = samples
        let sorted = samples.sorted()
        if sorted.isEmpty {
            median = .nan
        } else if sorted.count % 2 == 1 {
            median = sorted[sorted.count / 2]
        } else {
            median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
    }
}
