import Foundation

/// Opens a case for a customer, who must exist and not be merged (cases go to the survivor). The
/// first-response and resolution due times come from `configuration.serviceLevels[priority]`.
public struct OpenCase: DomainCommand {
    public typealias Target = ServiceCase
    public static let commandType = "OpenCase"
    public var caseId: String
    public var customerId: String
    public var channel: InteractionChannel
    public var category: CaseCategory
    public var priority: CasePriority
    public var isComplaint: Bool
    public var subject: String
    public var description: String

    public init(caseId: String, customerId: String, channel: InteractionChannel, category: CaseCategory, priority: CasePriority,
                isComplaint: Bool = false, subject: String, description: String) {
        self.caseId = caseId
        self.customerId = customerId
        self.channel = channel
        self.category = category
        self.priority = priority
        self.isComplaint = isComplaint
        self.subject = subject
        self.description = description
    }

    public var targetId: String { caseId }

    /// The customer the case is for; a malformed id is not looked up (`decide` refuses it by name).
    public var references: [RecordReference] {
        (try? Validate.id(customerId, "customerId")) == nil ? [] : [.record(Customer.self, customerId)]
    }

    public func decide(_ state: ServiceCase, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(caseId, "caseId")
        guard !state.exists else { throw .alreadyExists(kind: "case", id: id) }
        let customerId = try Validate.id(customerId, "customerId")
        try (context.record(Customer.self, customerId) ?? Customer()).requireCommandable(customerId)
        guard let level = context.configuration.serviceLevels[priority] else {
            throw .invalid(field: "priority", reason: "no service level is configured for \(priority.rawValue)")
        }
        return [CaseOpened(
            caseId: id, customerId: customerId, channel: channel, category: category, priority: priority, isComplaint: isComplaint,
            subject: try Validate.text(subject, "subject", max: 200), description: try Validate.text(description, "description", max: 5000),
            firstResponseDueAt: context.now.addingTimeInterval(TimeInterval(level.firstResponseMinutes) * 60),
            resolutionDueAt: context.now.addingTimeInterval(TimeInterval(level.resolutionMinutes) * 60),
            occurredAt: context.now)]
    }
}

/// Hands the case to an agent (a reassignment records the previous one).
public struct AssignCase: DomainCommand {
    public typealias Target = ServiceCase
    public static let commandType = "AssignCase"
    public var caseId: String
    public var agentId: String

    public init(caseId: String, agentId: String) {
        self.caseId = caseId
        self.agentId = agentId
    }

    public var targetId: String { caseId }

    public func decide(_ state: ServiceCase, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireWorkable(caseId)
        let agent = try Validate.id(agentId, "agentId")
        guard state.agentId != agent else { return [] }
        return [CaseAssigned(caseId: caseId, customerId: state.customerId, agentId: agent, previousAgentId: state.agentId, occurredAt: context.now)]
    }
}

/// Records the first answer to the customer, once, and whether it came after the first-response due time.
public struct RecordFirstResponse: DomainCommand {
    public typealias Target = ServiceCase
    public static let commandType = "RecordFirstResponse"
    public var caseId: String
    /// Who answered; the assigned agent when nil.
    public var agentId: String?

    public init(caseId: String, agentId: String? = nil) {
        self.caseId = caseId
        self.agentId = agentId
    }

    public var targetId: String { caseId }

    public func decide(_ state: ServiceCase, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireWorkable(caseId)
        guard !state.hasFirstResponse else {
            throw .ruleViolated(rule: "first-response-already-recorded", detail: "case \(caseId) already has its first response")
        }
        let agent = try agentId.map { v throws(DomainError) in try Validate.id(v, "agentId") } ?? state.agentId
        return [CaseFirstResponded(caseId: caseId, customerId: state.customerId, agentId: agent, dueAt: state.firstResponseDueAt,
                                   breached: context.now > state.firstResponseDueAt,
                                   minutesToRespond: state.minutesSinceOpened(context.now), occurredAt: context.now)]
    }
}

/// Raises the case to a higher support level (1–5), with the reason. Neither a closed nor a
/// resolved case can be escalated: reopen it first.
public struct EscalateCase: DomainCommand {
    public typealias Target = ServiceCase
    public static let commandType = "EscalateCase"
    public var caseId: String
    public var level: Int
    public var reason: String

    public init(caseId: String, level: Int, reason: String) {
        self.caseId = caseId
        self.level = level
        self.reason = reason
    }

    public var targetId: String { caseId }

    /// Support levels above first line.
    public static let levels = 1...5

    public func decide(_ state: ServiceCase, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireWorkable(caseId)
        try state.requireUnresolved(caseId)
        guard Self.levels.contains(level) else {
            throw .invalid(field: "level", reason: "must be between \(Self.levels.lowerBound) and \(Self.levels.upperBound)")
        }
        guard level > state.escalationLevel else {
            throw .ruleViolated(rule: "escalation-not-higher", detail: "case \(caseId) is already at level \(state.escalationLevel)")
        }
        return [CaseEscalated(caseId: caseId, customerId: state.customerId, level: level, previousLevel: state.escalationLevel,
                              reason: try Validate.text(reason, "reason", max: 500), occurredAt: context.now)]
    }
}

/// Moves the case between working states (`CaseStatus.working`); resolving, closing and reopening
/// have their own commands because they carry their own facts.
public struct ChangeCaseStatus: DomainCommand {
    public typealias Target = ServiceCase
    public static let commandType = "ChangeCaseStatus"
    public var caseId: String
    public var status: CaseStatus

    public init(caseId: String, status: CaseStatus) {
        self.caseId = caseId
        self.status = status
    }

    public var targetId: String { caseId }

    public func decide(_ state: ServiceCase, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireWorkable(caseId)
        guard CaseStatus.working.contains(status) else {
            throw .invalid(field: "status", reason: "\(status.rawValue) is set by ResolveCase or CloseCase")
        }
        try state.requireUnresolved(caseId)
        guard state.status != status else { return [] }
        return [CaseStatusChanged(caseId: caseId, customerId: state.customerId, from: state.status, to: status, occurredAt: context.now)]
    }
}

/// Resolves the case, recording whether the resolution due time (set at opening) has passed. A
/// resolved case must be reopened before it can be resolved again.
public struct ResolveCase: DomainCommand {
    public typealias Target = ServiceCase
    public static let commandType = "ResolveCase"
    public var caseId: String
    public var resolution: String

    public init(caseId: String, resolution: String) {
        self.caseId = caseId
        self.resolution = resolution
    }

    public var targetId: String { caseId }

    public func decide(_ state: ServiceCase, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireWorkable(caseId)
        guard state.status != .resolved else {
            throw .ruleViolated(rule: "case-already-resolved", detail: "case \(caseId) is already resolved; reopen it first")
        }
        return [CaseResolved(caseId: caseId, customerId: state.customerId, agentId: state.agentId,
                             resolution: try Validate.text(resolution, "resolution", max: 5000), dueAt: state.resolutionDueAt,
                             breached: context.now > state.resolutionDueAt, minutesToResolve: state.minutesSinceOpened(context.now),
                             occurredAt: context.now)]
    }
}

/// Takes a resolved or closed case back to open, with the reason; the only command a closed case accepts.
public struct ReopenCase: DomainCommand {
    public typealias Target = ServiceCase
    public static let commandType = "ReopenCase"
    public var caseId: String
    public var reason: String

    public init(caseId: String, reason: String) {
        self.caseId = caseId
        self.reason = reason
    }

    public var targetId: String { caseId }

    public func decide(_ state: ServiceCase, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        guard state.exists else { throw .notFound(kind: "case", id: caseId) }
        guard state.status == .resolved || state.status == .closed else {
            throw .ruleViolated(rule: "case-not-resolved", detail: "case \(caseId) is \(state.status.rawValue); only a resolved or closed case can be reopened")
        }
        return [CaseReopened(caseId: caseId, customerId: state.customerId, reason: try Validate.text(reason, "reason", max: 500),
                             occurredAt: context.now)]
    }
}

/// Closes a resolved case. A case that is still being worked on must be resolved first, so that
/// every closed case has a resolution and a resolution-SLA verdict.
public struct CloseCase: DomainCommand {
    public typealias Target = ServiceCase
    public static let commandType = "CloseCase"
    public var caseId: String

    public init(caseId: String) {
        self.caseId = caseId
    }

    public var targetId: String { caseId }

    public func decide(_ state: ServiceCase, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireWorkable(caseId)
        guard state.status == .resolved else {
            throw .ruleViolated(rule: "case-not-resolved", detail: "case \(caseId) is \(state.status.rawValue); resolve it before closing")
        }
        return [CaseClosed(caseId: caseId, customerId: state.customerId, occurredAt: context.now)]
    }
}
