import Domain

/// The row-level half of authorising a command: every record it touches must be within the
/// caller's `RowScope` (a manager's team, an agent's own customers and cases), or the command is
/// refused with 403 `forbidden` naming the record, before anything is decided.
///
/// A record that does not exist yet (a new opportunity) is not checked itself; the command names
/// the customer it is for, which is. A record that does not exist at all is left to the command,
/// which refuses it as not found.
struct CommandScope {
    let scope: RowScope
    let handler: CommandHandler
    let user: String

    /// Throws `forbidden` for the first of `targets` outside the scope.
    func check(_ targets: [ScopeTarget]) throws {
        guard case .managers = scope else { return }
        for target in targets {
            guard let (record, managers) = try managers(of: target) else { continue }
            guard scope.allows(anyOf: managers) else { throw APIError.outOfScope(record, user: user) }
        }
    }

    /// The record's stream and its managers, or nil when the record does not exist.
    private func managers(of target: ScopeTarget) throws -> (String, [String?])? {
        switch target {
        case .customer(let id):
            guard let manager = try customerManager(id) else { return nil }
            return (Customer.stream(id), [manager])
        case .manager(let id):
            return ("manager \(id)", [id])
        case .opportunity(let id):
            let (state, version) = try handler.load(Opportunity.self, id: id)
            guard version > 0 else { return nil }
            return (Opportunity.stream(id), [state.ownerId, try customerManager(state.customerId) ?? nil])
        case .quote(let id):
            let (state, version) = try handler.load(Quote.self, id: id)
            guard version > 0 else { return nil }
            return (Quote.stream(id), [try customerManager(state.customerId) ?? nil])
        case .order(let id):
            let (state, version) = try handler.load(Order.self, id: id)
            guard version > 0 else { return nil }
            return (Order.stream(id), [try customerManager(state.customerId) ?? nil])
        case .invoice(let id):
            let (state, version) = try handler.load(Invoice.self, id: id)
            guard version > 0 else { return nil }
            return (Invoice.stream(id), [try customerManager(state.customerId) ?? nil])
        case .serviceCase(let id):
            let (state, version) = try handler.load(ServiceCase.self, id: id)
            guard version > 0 else { return nil }
            return (ServiceCase.stream(id), [state.agentId, try customerManager(state.customerId) ?? nil])
        case .survey(let id):
            let (state, version) = try handler.load(SatisfactionSurvey.self, id: id)
            guard version > 0 else { return nil }
            return (SatisfactionSurvey.stream(id), [try customerManager(state.customerId) ?? nil])
        case .task(let id):
            let (state, version) = try handler.load(WorkTask.self, id: id)
            guard version > 0, let assignment = state.assignment else { return nil }
            return (WorkTask.stream(id), [assignment.managerId, try customerManager(assignment.customerId) ?? nil])
        }
    }

    /// The manager of an existing customer (itself nil when it has none), or nil when the customer
    /// does not exist (or the id is malformed, which the command refuses by name).
    private func customerManager(_ id: String) throws -> String?? {
        guard !id.isEmpty, id.utf8.count <= 200, !id.utf8.contains(0) else { return nil }
        let (state, version) = try handler.load(Customer.self, id: id)
        guard version > 0 else { return nil }
        return .some(state.managerId)
    }
}
