import Foundation
import Projections

/// The body of `POST /v1/analytics/state-cycle/replays`: the rules to replay the log under, and
/// which part of the log and of business time to compare.
struct StateCycleReplayRequest: Decodable, Sendable {
    /// The scratch read model's name (letters, digits, `-`, `_`); replaced when it exists.
    var name: String
    /// The rule set to replay under (start from `GET /v1/analytics/state-cycle/rules`).
    var rules: StateCycleRules
    /// First log position replayed (default 1).
    var from: UInt64?
    /// Last log position replayed (default: the head when the request arrives).
    var through: UInt64?
    /// The report's business-time period, `[periodFrom, periodTo)`, ISO-8601 (default: all time).
    var periodFrom: String?
    var periodTo: String?
}

/// The answer: the transition report of the live rules beside the replayed one, over the same
/// business period, and what was replayed.
struct StateCycleReplayAnswer: Encodable, Sendable {
    var name: String
    var liveRulesVersion: Int
    var replayRulesVersion: Int
    var from: UInt64
    var through: UInt64
    var live: StateTransitionReport
    var replay: StateTransitionReport
}
