import Foundation

/// A question to one cube: which measures, grouped by which dimensions (time grains included),
/// restricted to which dimension values (slice and dice) and business days, optionally with one
/// dimension pivoted into columns.
///
/// Answered by scanning the cells of the time range (one key range per table, since cells are
/// keyed by day first) in the smallest table that keeps what the question needs — a roll-up by
/// month or by day over one or two dimensions (`CubeRollUp`, `CubeQueryPlan`), else the finest
/// cells — and rolling them up in memory: leaving a dimension out rolls it up, adding one (or a
/// finer grain) drills down. Works on any `ReadModelReader` of the `cubes`
/// projector: live, as of a position, or a scratch replay.
public struct CubeQuery: Codable, Sendable, Equatable {
    /// Keeps the cells whose `dimension` is one of `values` (a time grain compares its label,
    /// e.g. `month` = `2024-03`).
    public struct Filter: Codable, Sendable, Equatable {
        public var dimension: CubeDimension
        public var values: [String]

        /// Keeps cells whose `dimension` is one of `values`.
        public init(_ dimension: CubeDimension, _ values: [String]) {
            self.dimension = dimension
            self.values = values
        }
    }

    public var cube: CubeKind
    /// Measure names of the cube (money measures without currency; the answer names them per
    /// currency, `wonAmount.EUR`); empty for all.
    public var measures: [String]
    /// The row dimensions, in column order of the answer.
    public var groupBy: [CubeDimension]
    public var filters: [Filter]
    /// First business day included (the day of this time, UTC); nil for no lower bound.
    public var from: Date?
    /// First business day excluded (the day of this time, UTC); nil for no upper bound.
    public var to: Date?
    /// A dimension whose values become the answer's columns.
    public var pivot: CubeDimension?

    /// A query; every part but the cube is optional.
    public init(cube: CubeKind, measures: [String] = [], groupBy: [CubeDimension] = [], filters: [Filter] = [],
                from: Date? = nil, to: Date? = nil, pivot: CubeDimension? = nil) {
        self.cube = cube
        self.measures = measures
        self.groupBy = groupBy
        self.filters = filters
        self.from = from
        self.to = to
        self.pivot = pivot
    }
}

/// Why a cube query cannot be answered.
public enum CubeQueryError: Error, Equatable, CustomStringConvertible {
    /// The cube has no such dimension.
    case unknownDimension(cube: CubeKind, dimension: CubeDimension)
    /// The cube has no such measure.
    case unknownMeasure(cube: CubeKind, measure: String)
    /// The pivot dimension is also a row dimension.
    case pivotInGroupBy(CubeDimension)

    public var description: String {
        switch self {
        case .unknownDimension(let cube, let dimension): "the \(cube.rawValue) cube has no dimension \(dimension.rawValue)"
        case .unknownMeasure(let cube, let measure): "the \(cube.rawValue) cube has no measure \(measure)"
        case .pivotInGroupBy(let dimension): "\(dimension.rawValue) cannot be both a row dimension and the pivot"
        }
    }
}
