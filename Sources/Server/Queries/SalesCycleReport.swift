import Projections

/// The sales-cycle reports of `GET /v1/analytics/sales-cycle/{report}`.
enum SalesCycleReport: String, CaseIterable, Sendable {
    case stageConversion = "stage-conversion"
    case timeInStage = "time-in-stage"
    case winRate = "win-rate"
    case cycleLengths = "cycle-lengths"
}

/// How a sales-cycle report groups: `all`, per `owner`, or per `team`.
enum SalesCycleGroupBy: String, CaseIterable, Sendable {
    case all, owner, team
}

/// A report's groups and the position they reflect.
struct SalesCycleReportAnswer<Group: Encodable & Sendable>: Encodable, Sendable {
    var report: String
    var from: Int64
    var to: Int64
    var by: String
    var groups: [Group]
    var position: UInt64
}
