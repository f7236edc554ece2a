import Domain
import Foundation

/// Queries of the service queue. Age and breach are judged against the `now` the caller passes,
/// so the read model holds only facts and due times.
public enum ServiceQueue {
    /// A queued case as a query answers it, with what `now` makes of it.
    public struct Item: Sendable, Codable, Equatable {
        public var item: QueuedCase
        /// Whole minutes since the case was opened.
        public var ageMinutes: Int64
        /// The first-response target is missed (no answer yet, due time passed).
        public var firstResponseBreached: Bool
        /// The resolution target is missed.
        public var resolutionBreached: Bool
        /// Whole minutes until the next pending due time (negative when breached).
        public var minutesToNextDue: Int64

        init(_ c: QueuedCase, now: Date) {
            item = c
            ageMinutes = OperationalTime.minutes(from: c.openedAt, to: now)
            firstResponseBreached = c.firstRespondedAt == nil && c.firstResponseDueAt < now
            resolutionBreached = c.resolutionDueAt < now
            minutesToNextDue = OperationalTime.minutes(from: now, to: c.nextDueAt)
        }
    }

    /// A page of the queue.
    public struct Page: Sendable, Codable, Equatable {
        public var items: [Item]
        public var nextCursor: String?
        public var position: UInt64
    }

    /// Cases at SLA risk: breached (a pending due time before `now`) and about to breach (due
    /// within the window).
    public struct AtRisk: Sendable, Codable, Equatable {
        public var breached: [Item]
        public var aboutToBreach: [Item]
        public var position: UInt64
    }

    /// One agent's (nil: unassigned) open work.
    public struct AgentLoad: Sendable, Codable, Equatable {
        public var agentId: String?
        public var open: Int
        /// Open cases per priority (raw value).
        public var byPriority: [String: Int]
        public var breached: Int
        public var aboutToBreach: Int
        public var complaints: Int
        public var oldestOpenedAt: Date?
    }

    /// Open cases, urgent first and oldest first within a priority; `agentId` nil for every
    /// agent, `.some(nil)` for unassigned cases, `.some(id)` for one agent.
    public static func open(_ reader: ReadModelReader, agentId: String?? = nil, now: Date,
                            after cursor: String? = nil, limit: Int = 50) throws -> Page {
        let prefix = ReadModelKey.prefix(ServiceQueueProjector.scopePrefix(agentId: agentId))
        let start = try cursor.map { try CustomerList.decodeCursor($0, prefix: prefix) }
        var items: [Item] = []
        var last: String?
        var more = false
        try reader.scan(ServiceQueueProjector.queue, prefix: prefix, after: start) { key, c in
            if items.count == max(1, limit) { more = true; return false }
            items.append(Item(c, now: now))
            last = key
            return true
        }
        return Page(items: items, nextCursor: more ? last.map(CustomerList.encodeCursor) : nil, position: reader.position)
    }

    /// Open cases whose next pending due time is before `now` (breached) or before
    /// `now + window` (about to breach), earliest due first.
    public static func atRisk(_ reader: ReadModelReader, agentId: String?? = nil, now: Date, window: Duration = .seconds(3600)) throws -> AtRisk {
        let horizon = now.addingTimeInterval(Double(window.components.seconds))
        var breached: [Item] = [], soon: [Item] = []
        try reader.scan(ServiceQueueProjector.due, prefix: ReadModelKey.prefix(ServiceQueueProjector.scopePrefix(agentId: agentId))) { _, c in
            guard c.nextDueAt < horizon else { return false }
            if c.isBreached(at: now) { breached.append(Item(c, now: now)) } else { soon.append(Item(c, now: now)) }
            return true
        }
        return AtRisk(breached: breached, aboutToBreach: soon, position: reader.position)
    }

    /// Open work per agent (unassigned first as nil, then by agent id).
    public static func byAgent(_ reader: ReadModelReader, now: Date, window: Duration = .seconds(3600)) throws -> [AgentLoad] {
        var cases: [QueuedCase] = []
        try reader.scan(ServiceQueueProjector.queue, prefix: ReadModelKey.prefix("all")) { _, c in
            cases.append(c)
            return true
        }
        return loads(of: cases, now: now, window: window)
    }

    /// The per-agent loads of `cases` judged at `now` (unassigned first as nil, then by agent id):
    /// the fold of `byAgent`, for callers that have already narrowed the cases (row scopes).
    public static func loads(of cases: some Sequence<QueuedCase>, now: Date, window: Duration = .seconds(3600)) -> [AgentLoad] {
        let horizon = now.addingTimeInterval(Double(window.components.seconds))
        var loads: [String: AgentLoad] = [:]
        for c in cases {
            let key = c.agentId ?? ""
            var load = loads[key] ?? AgentLoad(agentId: c.agentId, open: 0, byPriority: [:], breached: 0, aboutToBreach: 0,
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
