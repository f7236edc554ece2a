import Foundation

/// The campaign aggregate (`campaign-<id>`): its stage, its budget's currency, and who was
/// targeted, responded and converted, which is all the campaign's rules look at. Performance
/// (rates, cost per response, return) is computed by projections.
public struct Campaign: Aggregate, Equatable {
    public static let category = "campaign"
    public static let eventTypes: [any DomainEvent.Type] = [
        CampaignPlanned.self, CampaignLaunched.self, CampaignMemberTargeted.self,
        CampaignMemberResponded.self, CampaignMemberConverted.self, CampaignClosed.self,
    ]

    /// Where a campaign is in its cycle: a campaign may be closed without ever being launched
    /// (called off), which `launchedAt` tells apart.
    public enum Stage: String, Sendable, Codable, CaseIterable { case planned, launched, closed }

    /// Nil until planned: every other command needs an existing campaign.
    public var id: String?
    /// Decides which commands the campaign still accepts.
    public var stage: Stage = .planned
    /// Nil until planned; fixes the currency of the actual cost and of conversion values.
    public var budget: Money?
    /// Set at launch; responses and conversions need it, even after closing.
    public var launchedAt: Date?
    /// Customers on the target list: each is targeted once, and only they may respond or convert.
    public var targeted: Set<String> = []
    /// Targeted customers who answered, so each response is counted once.
    public var responded: Set<String> = []
    /// Targeted customers who converted, so each conversion is counted once.
    public var converted: Set<String> = []

    public init() {}

    /// Whether the campaign was planned.
    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as CampaignPlanned:
            id = e.campaignId
            budget = e.budget
            stage = .planned
        case let e as CampaignLaunched:
            stage = .launched
            launchedAt = e.occurredAt
        case let e as CampaignMemberTargeted:
            targeted.insert(e.customerId)
        case let e as CampaignMemberResponded:
            responded.insert(e.customerId)
        case let e as CampaignMemberConverted:
            converted.insert(e.customerId)
        case is CampaignClosed:
            stage = .closed
        default:
            break
        }
    }

    /// The guard every command on an existing campaign starts with.
    func requireExisting(_ id: String) throws(DomainError) {
        guard exists else { throw .notFound(kind: "campaign", id: id) }
    }

    /// Targeting and responses stop when the campaign closes.
    func requireOpen(_ id: String) throws(DomainError) {
        guard stage != .closed else { throw .ruleViolated(rule: "campaign-closed", detail: "campaign \(id) is closed") }
    }

    /// Responses and conversions only make sense once the campaign has gone out.
    func requireLaunched(_ id: String) throws(DomainError) {
        guard launchedAt != nil else {
            throw .ruleViolated(rule: "campaign-not-launched", detail: "campaign \(id) has not been launched")
        }
    }

    /// Only customers on the target list can answer or convert.
    func requireTargeted(_ customerId: String, in id: String) throws(DomainError) {
        guard targeted.contains(customerId) else {
            throw .ruleViolated(rule: "campaign-member-not-targeted", detail: "customer \(customerId) is not targeted by campaign \(id)")
        }
    }

    /// Amounts of one campaign share the budget's currency, so cost and return can be compared.
    func requireBudgetCurrency(_ amount: Money, _ field: String, in id: String) throws(DomainError) {
        guard let budget, amount.currency != budget.currency else { return }
        throw .ruleViolated(rule: "campaign-currency-mismatch",
                            detail: "\(field) is in \(amount.currency) but campaign \(id) is budgeted in \(budget.currency)")
    }
}
