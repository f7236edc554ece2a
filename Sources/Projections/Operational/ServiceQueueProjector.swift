import Domain
import Foundation

/// The service queue: open cases (working states) by priority and age, and by next SLA due time,
/// for everyone and per agent. Resolved and closed cases leave the queue; a reopened case
/// returns with the due times set at opening (the domain keeps them).
///
/// Scopes: `all` and `agent \0 <agentId>` (`agent \0` with an empty id for unassigned cases), so
/// an agent's queue is a prefix scan; the due index is ordered by time, so "breached or about to
/// breach by `now + window`" is a range scan that stops at the first later due time.
///
/// Erasure (`SubjectErased`): the subjects of an erased customer's cases read `erased`.
public struct ServiceQueueProjector: Projector {
    static let cases = ReadModelTable<QueuedCase>("cases")
    /// `scope… \0 priority rank \0 opened at \0 case id` → case.
    static let queue = ReadModelTable<QueuedCase>("queue")
    /// `scope… \0 next due at \0 case id` → case.
    static let due = ReadModelTable<QueuedCase>("due")
    /// Customer id → the ids of the cases opened for it, sorted (finds them on erasure).
    static let customerCases = ReadModelTable<[String]>("customerCases")

    public var name: String
    /// 2: erasures (`SubjectErased`), and the cases of each customer (`customerCases`).
    public var version: Int { 2 }

    public init(name: String = "serviceQueue") { self.name = name }

    public var tables: [String] { [Self.cases.name, Self.queue.name, Self.due.name, Self.customerCases.name] }

    public var eventTypes: Set<String>? {
        let types: [any DomainEvent.Type] = [
            CaseOpened.self, CaseAssigned.self, CaseFirstResponded.self, CaseEscalated.self, CaseStatusChanged.self,
            CaseResolved.self, CaseReopened.self, CaseClosed.self, SubjectErased.self,
        ]
        return Set(types.map { $0.eventType })
    }

    static func scopes(_ agentId: String?) -> [[String]] { [["all"], ["agent", agentId ?? ""]] }

    static func scopePrefix(agentId: String??) -> [String] {
        switch agentId {
        case .none: ["all"]
        case .some(let agent): ["agent", agent ?? ""]
        }
    }

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        switch event.payload {
        case let e as CaseOpened:
            let item = QueuedCase(caseId: e.caseId, customerId: e.customerId, priority: e.priority, category: e.category,
                                  isComplaint: e.isComplaint, subject: e.subject, status: .open, agentId: nil, escalationLevel: 0,
                                  openedAt: e.occurredAt, firstResponseDueAt: e.firstResponseDueAt, firstRespondedAt: nil,
                                  resolutionDueAt: e.resolutionDueAt)
            try replace(try batch.get(Self.cases, e.caseId), with: item, &batch)
            try batch.update(Self.customerCases, e.customerId, default: []) { CustomerRecord.insert(e.caseId, into: &$0) }
        case let e as CaseAssigned:
            try change(e.caseId, &batch) { $0.agentId = e.agentId }
        case let e as CaseFirstResponded:
            try change(e.caseId, &batch) { if $0.firstRespondedAt == nil { $0.firstRespondedAt = e.occurredAt } }
        case let e as CaseEscalated:
            try change(e.caseId, &batch) { $0.escalationLevel = e.level }
        case let e as CaseStatusChanged:
            try change(e.caseId, &batch) { $0.status = e.to }
        case let e as CaseResolved:
            try change(e.caseId, &batch) { $0.status = .resolved }
        case let e as CaseReopened:
            try change(e.caseId, &batch) { $0.status = .open }
        case let e as CaseClosed:
            try change(e.caseId, &batch) { $0.status = .closed }
        case let e as SubjectErased:
            for customerId in ErasedSubjects(e).customers.sorted() {
                for caseId in try batch.get(Self.customerCases, customerId) ?? [] {
                    try change(caseId, &batch) { $0.subject = ErasedSubjects.marker }
                }
            }
        default:
            break
        }
    }

    func change(_ id: String, _ batch: inout ReadModelBatch, _ body: (inout QueuedCase) -> Void) throws {
        guard let old = try batch.get(Self.cases, id) else { return }
        var new = old
        body(&new)
        guard new != old else { return }
        try replace(old, with: new, &batch)
    }

    func replace(_ old: QueuedCase?, with new: QueuedCase, _ batch: inout ReadModelBatch) throws {
        try batch.put(Self.cases, new.caseId, new)
        let none: (queue: [String], due: [String]) = ([], [])
        let oldKeys = old.map { $0.isOpen ? Self.keys($0) : none } ?? none
        let newKeys = new.isOpen ? Self.keys(new) : none
        for key in oldKeys.queue where !newKeys.queue.contains(key) { try batch.delete(Self.queue, key) }
        for key in oldKeys.due where !newKeys.due.contains(key) { try batch.delete(Self.due, key) }
        for key in newKeys.queue { try batch.put(Self.queue, key, new) }
        for key in newKeys.due { try batch.put(Self.due, key, new) }
    }

    static func keys(_ c: QueuedCase) -> (queue: [String], due: [String]) {
        let opened = ReadModelKey.sortable(OperationalTime.milliseconds(c.openedAt))
        let due = ReadModelKey.sortable(OperationalTime.milliseconds(c.nextDueAt))
        let scopes = scopes(c.agentId)
        return (scopes.map { ReadModelKey.join($0 + [rank(c.priority), opened, c.caseId]) },
                scopes.map { ReadModelKey.join($0 + [due, c.caseId]) })
    }

    static func rank(_ priority: CasePriority) -> String { QueuedCase.rank(priority) }
}
