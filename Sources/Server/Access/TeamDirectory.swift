import Domain
import EventStore
import Synchronization

/// Which team each customer manager belongs to, and who is in each team, as the log says now.
///
/// Built from `TeamMemberAssigned` events and brought up to date incrementally on each lookup
/// (only the events appended since the last lookup are read), so a manager moved to another team
/// sees that team's customers from the next request on.
final class TeamDirectory: Sendable {
    private struct State {
        var position: UInt64 = 0
        var teamOf: [String: String] = [:]
        var members: [String: Set<String>] = [:]
    }

    private let store: EventStore
    /// The registry events are decoded with (the server's, so that sealed events open the same way
    /// everywhere; team assignments carry no personal data).
    private let registry: EventRegistry
    private let state = Mutex(State())

    init(store: EventStore, registry: EventRegistry = .domain) {
        self.store = store
        self.registry = registry
    }

    /// The managers in the same team as `manager` (itself included); just `manager` when it is in
    /// no team.
    func teamMates(of manager: String) throws -> Set<String> {
        try refresh()
        return state.withLock { state in
            guard let team = state.teamOf[manager] else { return [manager] }
            return state.members[team, default: []].union([manager])
        }
    }

    /// The team `manager` belongs to, if any.
    func team(of manager: String) throws -> String? {
        try refresh()
        return state.withLock { $0.teamOf[manager] }
    }

    /// Every manager's current team (manager id → team id), for reports grouped by team.
    func assignments() throws -> [String: String] {
        try refresh()
        return state.withLock { $0.teamOf }
    }

    private func refresh() throws {
        let head = try store.head().position
        var from = state.withLock { $0.position } + 1
        while from <= head {
            let page = try store.readPage(from: from, limit: 1000, types: [TeamMemberAssigned.eventType])
            let assignments = try page.events.filter { $0.position <= head }.map { event in
                (position: event.position, assigned: try registry.decode(event) as? TeamMemberAssigned)
            }
            let reached = Swift.min(page.next, head + 1)
            state.withLock { state in
                for (position, assigned) in assignments where position > state.position {
                    guard let assigned else { continue }
                    if let previous = state.teamOf[assigned.managerId] { state.members[previous]?.remove(assigned.managerId) }
                    state.teamOf[assigned.managerId] = assigned.teamId
                    state.members[assigned.teamId, default: []].insert(assigned.managerId)
                }
                state.position = Swift.max(state.position, reached - 1)
            }
            from = reached
        }
    }
}
