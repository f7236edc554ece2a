import Foundation

/// The opportunity aggregate (`opportunity-<id>`): the stage, template fields and outcome that
/// pipeline decisions need, with the stages of the process version it follows.
public struct Opportunity: Aggregate, Equatable {
    public static let category = "opportunity"
    public static let eventTypes: [any DomainEvent.Type] = [
        OpportunityOpened.self, OpportunityFieldsSet.self, OpportunityStageChanged.self, OpportunityAmountChanged.self,
        OpportunityCloseDateChanged.self, OpportunityOwnerChanged.self, OpportunityProcessRevisionAdopted.self,
        OpportunityWon.self, OpportunityLost.self, OpportunityReopened.self,
    ]

    public var id: String?
    public var customerId = ""
    public var processId = ""
    public var processVersion = 0
    public var stages: [SalesStage] = []
    public var allowsSkipping = false
    public var stage = ""
    public var cycleKind: SalesCycleKind = .newBusiness
    /// Meaningful once opened (`XXX` is ISO 4217's "no currency").
    public var amount = Money.zero("XXX")
    public var expectedCloseDate = Date(timeIntervalSince1970: 0)
    public var ownerId = ""
    public var fields: [String: String] = [:]
    public var status: OpportunityStatus = .open

    public init() {}

    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as OpportunityOpened:
            id = e.opportunityId
            customerId = e.customerId
            processId = e.processId
            processVersion = e.processVersion
            stages = e.stages
            allowsSkipping = e.allowsSkipping
            stage = e.stage
            cycleKind = e.cycleKind
            amount = e.amount
            expectedCloseDate = e.expectedCloseDate
            ownerId = e.ownerId
            fields = e.fields
        case let e as OpportunityFieldsSet:
            for change in e.changes { fields[change.field] = change.new }
        case let e as OpportunityStageChanged:
            stage = e.toStage
        case let e as OpportunityAmountChanged:
            amount = e.newAmount
        case let e as OpportunityCloseDateChanged:
            expectedCloseDate = e.newDate
        case let e as OpportunityOwnerChanged:
            ownerId = e.ownerId
        case let e as OpportunityProcessRevisionAdopted:
            processVersion = e.processVersion
            stages = e.stages
            allowsSkipping = e.allowsSkipping
        case is OpportunityWon:
            status = .won
        case is OpportunityLost:
            status = .lost
        case is OpportunityReopened:
            status = .open
        default:
            break
        }
    }

    /// Every field name the stage templates of the followed process version mention.
    var templateFields: Set<String> { Set(stages.flatMap(\.requiredFields)) }

    /// The guard of every command on an existing opportunity.
    func requireExists(_ id: String) throws(DomainError) {
        guard exists else { throw .notFound(kind: "opportunity", id: id) }
    }

    /// The guard of commands that change a deal in progress: won and lost are terminal until reopened.
    func requireOpen(_ id: String) throws(DomainError) {
        try requireExists(id)
        guard status == .open else {
            throw .ruleViolated(rule: "opportunity-closed", detail: "opportunity \(id) is \(status.rawValue); reopen it first")
        }
    }

    /// Refuses entering `stage` while any of its required fields has no value in `fields`.
    static func requireFields(of stage: SalesStage, in fields: [String: String]) throws(DomainError) {
        let missing = stage.requiredFields.filter { fields[$0] == nil }
        guard missing.isEmpty else {
            throw .ruleViolated(rule: "required-fields-missing",
                                detail: "stage \(stage.name) requires \(missing.joined(separator: ", "))")
        }
    }
}
