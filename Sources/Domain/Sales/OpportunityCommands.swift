import Foundation

/// Opens an opportunity for an existing, unmerged customer, following the current version of an
/// existing sales process; it starts in the process's first stage, whose required fields must be
/// among `fields`.
public struct OpenOpportunity: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "OpenOpportunity"
    public var opportunityId: String
    public var customerId: String
    public var processId: String
    public var title: String
    public var cycleKind: SalesCycleKind
    public var amount: Money
    public var expectedCloseDate: Date
    public var ownerId: String
    /// Step-template field values already known; names must occur in the process's templates.
    public var fields: [String: String]
    /// The lead this opportunity came from, when opened by a lead conversion.
    public var leadId: String?

    public init(opportunityId: String, customerId: String, processId: String, title: String, cycleKind: SalesCycleKind,
                amount: Money, expectedCloseDate: Date, ownerId: String, fields: [String: String] = [:], leadId: String? = nil) {
        self.opportunityId = opportunityId
        self.customerId = customerId
        self.processId = processId
        self.title = title
        self.cycleKind = cycleKind
        self.amount = amount
        self.expectedCloseDate = expectedCloseDate
        self.ownerId = ownerId
        self.fields = fields
        self.leadId = leadId
    }

    public var targetId: String { opportunityId }

    public var references: [RecordReference] { [.record(Customer.self, customerId), .record(SalesProcess.self, processId)] }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(opportunityId, "opportunityId")
        guard !state.exists else { throw .alreadyExists(kind: "opportunity", id: id) }
        try (context.record(Customer.self, customerId) ?? Customer()).requireCommandable(customerId)
        guard let process = context.record(SalesProcess.self, processId) else { throw .notFound(kind: "salesProcess", id: processId) }
        let templateFields = Set(process.stages.flatMap(\.requiredFields))
        var values: [String: String] = [:]
        for (field, raw) in fields.sorted(by: { $0.key < $1.key }) {
            guard templateFields.contains(field) else { throw OpportunityFieldRules.unknownField(field, process: processId) }
            values[field] = try Validate.text(raw, field, max: 500)
        }
        guard let first = process.stages.first else {
            throw .ruleViolated(rule: "sales-process-empty", detail: "sales process \(processId) has no stages")
        }
        try Opportunity.requireFields(of: first, in: values)
        return [OpportunityOpened(
            opportunityId: id, customerId: customerId,
            leadId: try leadId.map { v throws(DomainError) in try Validate.id(v, "leadId") },
            title: try Validate.text(title, "title", max: 200), processId: processId, processVersion: process.version,
            stages: process.stages, allowsSkipping: process.allowsSkipping, stage: first.name, cycleKind: cycleKind,
            amount: amount, expectedCloseDate: try Validate.date(expectedCloseDate, "expectedCloseDate"),
            ownerId: try Validate.id(ownerId, "ownerId"), fields: values, occurredAt: context.now)]
    }
}

/// Field-name checks shared by the commands that set step-template fields.
enum OpportunityFieldRules {
    static func unknownField(_ field: String, process: String) -> DomainError {
        .invalid(field: field, reason: "not a step-template field of sales process \(process)")
    }
}

/// Fills in, changes or clears (null) step-template fields; only values that change are recorded,
/// with old and new. Allowed on won and lost opportunities too: facts keep arriving after the close.
public struct SetOpportunityFields: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "SetOpportunityFields"
    public var opportunityId: String
    public var fields: [String: String?]

    public init(opportunityId: String, fields: [String: String?]) {
        self.opportunityId = opportunityId
        self.fields = fields
    }

    public var targetId: String { opportunityId }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExists(opportunityId)
        guard !fields.isEmpty else { throw .invalid(field: "fields", reason: "no fields to set") }
        let templateFields = state.templateFields
        var changes: [FieldChange] = []
        for (field, raw) in fields.sorted(by: { $0.key < $1.key }) {
            guard templateFields.contains(field) else { throw OpportunityFieldRules.unknownField(field, process: state.processId) }
            let value = try Validate.optionalText(raw, field, max: 500)
            if state.fields[field] != value { changes.append(FieldChange(field: field, old: state.fields[field], new: value)) }
        }
        guard !changes.isEmpty else { return [] }
        return [OpportunityFieldsSet(opportunityId: opportunityId, changes: changes, occurredAt: context.now)]
    }
}

/// Moves an open opportunity to another stage of its process version: the next one (forward), a
/// later one (skip, only if the process allows it) or an earlier one (back, with a reason). The
/// target stage's required fields must have values. Moving to the current stage changes nothing.
public struct MoveOpportunityStage: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "MoveOpportunityStage"
    public var opportunityId: String
    public var toStage: String
    public var reason: String?

    public init(opportunityId: String, toStage: String, reason: String? = nil) {
        self.opportunityId = opportunityId
        self.toStage = toStage
        self.reason = reason
    }

    public var targetId: String { opportunityId }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireOpen(opportunityId)
        let name = Validate.trimmed(toStage)
        guard let to = state.stages.firstIndex(where: { $0.name == name }) else {
            throw .ruleViolated(rule: "unknown-stage",
                                detail: "sales process \(state.processId) v\(state.processVersion) has no stage '\(name.prefix(60))' (\(state.stages.map(\.name).joined(separator: ", ")))")
        }
        let from = state.stages.firstIndex { $0.name == state.stage } ?? 0
        guard to != from else { return [] }
        let direction: StageMoveDirection = to == from + 1 ? .forward : to > from ? .skip : .back
        let reason = try Validate.optionalText(reason, "reason", max: 500)
        if direction == .skip, !state.allowsSkipping {
            throw .ruleViolated(rule: "stage-skipping-forbidden",
                                detail: "sales process \(state.processId) v\(state.processVersion) does not allow skipping from \(state.stage) to \(name)")
        }
        if direction == .back, reason == nil {
            throw .invalid(field: "reason", reason: "required to move back a stage")
        }
        let target = state.stages[to]
        try Opportunity.requireFields(of: target, in: state.fields)
        return [OpportunityStageChanged(opportunityId: opportunityId, fromStage: state.stage, toStage: target.name,
                                        direction: direction, reason: reason, winProbability: target.winProbability,
                                        occurredAt: context.now)]
    }
}

/// Changes the expected amount of an open opportunity, in its currency, recording old and new.
public struct ChangeOpportunityAmount: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "ChangeOpportunityAmount"
    public var opportunityId: String
    public var amount: Money
    public var reason: String?

    public init(opportunityId: String, amount: Money, reason: String? = nil) {
        self.opportunityId = opportunityId
        self.amount = amount
        self.reason = reason
    }

    public var targetId: String { opportunityId }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireOpen(opportunityId)
        try state.amount.requireSameCurrency(amount)
        let reason = try Validate.optionalText(reason, "reason", max: 500)
        guard amount != state.amount else { return [] }
        return [OpportunityAmountChanged(opportunityId: opportunityId, oldAmount: state.amount, newAmount: amount,
                                         reason: reason, occurredAt: context.now)]
    }
}

/// Moves the expected close date of an open opportunity, recording old and new.
public struct ChangeOpportunityCloseDate: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "ChangeOpportunityCloseDate"
    public var opportunityId: String
    public var expectedCloseDate: Date
    public var reason: String?

    public init(opportunityId: String, expectedCloseDate: Date, reason: String? = nil) {
        self.opportunityId = opportunityId
        self.expectedCloseDate = expectedCloseDate
        self.reason = reason
    }

    public var targetId: String { opportunityId }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireOpen(opportunityId)
        let date = try Validate.date(expectedCloseDate, "expectedCloseDate")
        let reason = try Validate.optionalText(reason, "reason", max: 500)
        guard date != state.expectedCloseDate else { return [] }
        return [OpportunityCloseDateChanged(opportunityId: opportunityId, oldDate: state.expectedCloseDate, newDate: date,
                                            reason: reason, occurredAt: context.now)]
    }
}

/// Hands the opportunity to another owner; allowed after the close too, for performance credit.
public struct ReassignOpportunity: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "ReassignOpportunity"
    public var opportunityId: String
    public var ownerId: String

    public init(opportunityId: String, ownerId: String) {
        self.opportunityId = opportunityId
        self.ownerId = ownerId
    }

    public var targetId: String { opportunityId }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExists(opportunityId)
        let owner = try Validate.id(ownerId, "ownerId")
        guard owner != state.ownerId else { return [] }
        return [OpportunityOwnerChanged(opportunityId: opportunityId, ownerId: owner, previousOwnerId: state.ownerId, occurredAt: context.now)]
    }
}

/// Switches an open opportunity to the current version of the process it follows. Its current
/// stage must still exist in that version. Already on the current version: nothing changes.
public struct AdoptSalesProcessRevision: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "AdoptSalesProcessRevision"
    public var opportunityId: String
    /// The process the opportunity follows (named so the handler can load it).
    public var processId: String

    public init(opportunityId: String, processId: String) {
        self.opportunityId = opportunityId
        self.processId = processId
    }

    public var targetId: String { opportunityId }

    public var references: [RecordReference] { [.record(SalesProcess.self, processId)] }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireOpen(opportunityId)
        guard processId == state.processId else {
            throw .invalid(field: "processId", reason: "opportunity \(opportunityId) follows sales process \(state.processId)")
        }
        guard let process = context.record(SalesProcess.self, processId) else { throw .notFound(kind: "salesProcess", id: processId) }
        guard process.version != state.processVersion else { return [] }
        guard process.stages.contains(where: { $0.name == state.stage }) else {
            throw .ruleViolated(rule: "stage-not-in-revision",
                                detail: "sales process \(processId) v\(process.version) has no stage \(state.stage); move the opportunity first")
        }
        return [OpportunityProcessRevisionAdopted(
            opportunityId: opportunityId, processId: processId, previousVersion: state.processVersion,
            processVersion: process.version, stages: process.stages, allowsSkipping: process.allowsSkipping, occurredAt: context.now)]
    }
}

/// Closes an open opportunity as won, with the final amount (in the opportunity's currency) and
/// the products sold.
public struct WinOpportunity: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "WinOpportunity"
    public var opportunityId: String
    public var amount: Money
    public var productIds: [String]

    public init(opportunityId: String, amount: Money, productIds: [String]) {
        self.opportunityId = opportunityId
        self.amount = amount
        self.productIds = productIds
    }

    public var targetId: String { opportunityId }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireOpen(opportunityId)
        try state.amount.requireSameCurrency(amount)
        guard !productIds.isEmpty else { throw .invalid(field: "productIds", reason: "at least one product is required") }
        var products: [String] = []
        for product in productIds {
            let product = try Validate.id(product, "productIds")
            if !products.contains(product) { products.append(product) }
        }
        return [OpportunityWon(opportunityId: opportunityId, amount: amount, productIds: products, stage: state.stage, occurredAt: context.now)]
    }
}

/// Closes an open opportunity as lost, with the reason and, if known, the competitor who won it.
public struct LoseOpportunity: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "LoseOpportunity"
    public var opportunityId: String
    public var reason: String
    public var competitor: String?

    public init(opportunityId: String, reason: String, competitor: String? = nil) {
        self.opportunityId = opportunityId
        self.reason = reason
        self.competitor = competitor
    }

    public var targetId: String { opportunityId }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireOpen(opportunityId)
        return [OpportunityLost(opportunityId: opportunityId, reason: try Validate.text(reason, "reason", max: 500),
                                competitor: try Validate.optionalText(competitor, "competitor", max: 200), stage: state.stage,
                                occurredAt: context.now)]
    }
}

/// Reopens a won or lost opportunity, with a reason; it resumes in the stage it closed in.
public struct ReopenOpportunity: DomainCommand {
    public typealias Target = Opportunity
    public static let commandType = "ReopenOpportunity"
    public var opportunityId: String
    public var reason: String

    public init(opportunityId: String, reason: String) {
        self.opportunityId = opportunityId
        self.reason = reason
    }

    public var targetId: String { opportunityId }

    public func decide(_ state: Opportunity, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExists(opportunityId)
        let reason = try Validate.text(reason, "reason", max: 500)
        guard state.status != .open else {
            throw .ruleViolated(rule: "opportunity-not-closed", detail: "opportunity \(opportunityId) is open")
        }
        return [OpportunityReopened(opportunityId: opportunityId, previousStatus: state.status, reason: reason, occurredAt: context.now)]
    }
}
