import Foundation
import Projections

/// A cube question as query parameters, parsed into a `CubeQuery`.
///
/// - `measures=a,b` (default every measure of the cube),
/// - `by=month,region` row dimensions in column order (time grains day, week, month, quarter,
///   year, and the cube's dimensions); leaving a dimension out rolls it up, adding one drills down,
/// - `where=region:north,south` slice and dice, repeatable (every clause must hold; a clause keeps
///   the listed values),
/// - `from`, `to` business days (ISO-8601, `to` excluded), `pivot=<dimension>` into columns.
///
/// Example, revenue by month and region:
/// `/v1/analytics/cubes/revenue?measures=ordersPlacedAmount&by=month,region`.
enum CubeRequest {
    /// The query the parameters ask of `cube`, restricted to `managers` when the caller's scope is.
    static func parse(_ cube: CubeKind, _ query: QueryParameters, where clauses: [String], scope: RowScope) throws(APIError) -> CubeQuery {
        func dimension(_ text: String, _ parameter: String) throws(APIError) -> CubeDimension {
            guard let value = CubeDimension(rawValue: text), value.isTime || cube.dimensions.contains(value) else {
                let allowed = (CubeDimension.allCases.filter(\.isTime) + cube.dimensions).map(\.rawValue).joined(separator: ", ")
                throw .invalidParameter(parameter, "the \(cube.rawValue) cube has no dimension '\(text)'; it has \(allowed)")
            }
            return value
        }
        let measures = try query.orderedList("measures") ?? []
        for measure in measures where !cube.measures.contains(measure) {
            throw .invalidParameter("measures", "the \(cube.rawValue) cube has no measure '\(measure)'; it has \(cube.measures.joined(separator: ", "))")
        }
        var groupBy: [CubeDimension] = []
        for text in try query.orderedList("by") ?? [] {
            let value = try dimension(text, "by")
            guard !groupBy.contains(value) else { throw .invalidParameter("by", "by names \(text) twice") }
            groupBy.append(value)
        }
        var filters: [CubeQuery.Filter] = []
        for clause in clauses {
            let parts = clause.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw .invalidParameter("where", "where must be dimension:value[,value…], got '\(clause)'")
            }
            let values = parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            filters.append(CubeQuery.Filter(try dimension(parts[0], "where"), values))
        }
        if case .managers(let managers) = scope { filters.append(CubeQuery.Filter(.manager, managers.sorted())) }
        let pivot = try query.identifier("pivot").map { text throws(APIError) in try dimension(text, "pivot") }
        if let pivot, groupBy.contains(pivot) {
            throw .invalidParameter("pivot", "\(pivot.rawValue) cannot be both a row dimension (by) and the pivot")
        }
        let from = try query.timestamp("from").map { Date(timeIntervalSince1970: Double($0) / 1000) }
        let to = try query.timestamp("to").map { Date(timeIntervalSince1970: Double($0) / 1000) }
        return CubeQuery(cube: cube, measures: measures, groupBy: groupBy, filters: filters, from: from, to: to, pivot: pivot)
    }
}
