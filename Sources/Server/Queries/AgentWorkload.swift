import Domain
import Foundation
import Projections

/// One agent's open service work (nil `agentId`: unassigned cases), the answer of
/// `GET /v1/service/queue/agents`.
///
/// Computed from the queue's open cases visible to the caller rather than the read model's
/// every-agent summary, so a restricted caller's counts hold only the cases in its scope; for
/// unrestricted callers the figures equal `ServiceQueue.byAgent`.
struct AgentWorkload: Encodable, Sendable, Equatable {
    var agentId: String?
    var open: Int
    /// Open cases per priority.
    var byPriority: [String: Int]
    var breached: Int
    var aboutToBreach: Int
    var complaints: Int
    var oldestOpenedAt: Date?

    /// Loads per agent (unassigned first, then by agent id) of `items` judged at `now`.
    static func loads(_ items: [ServiceQueue.Item], now: Date, window: Duration) -> [AgentWorkload] {
        let horizon = now.addingTimeInterval(Double(window.components.seconds))
        var loads: [String: AgentWorkload] = [:]
        for item in items {
            let c = item.item
            let key = c.agentId ?? ""
            var load = loads[key] ?? AgentWorkload(agentId: c.agentId, open: 0, byPriority: [:], breached: 0, aboutToBreach: 0,
                                                   complaints: 0, oldestOpenedAt: nil)
            load.open += 1
            load.byPriority[c.priority.rawValue, default: 0] += 1
            if c.isBreached(at: now) { load.breached += 1 } else if c.nextDueAt < horizon { load.aboutToBreach += 1 }
            if c.isComplaint { load.complaints += 1 }
            if load.oldestOpenedAt.map({ c.openedAt < $0 }) ?? true { load.oldestOpenedAt = c.openedAt }
            loads[key] = load
        }
        return loads.keys.sorted().compactMap { loads[$0] }
    }
}
