import Foundation

/// Draws up a campaign: name, channel, target segment, budget and the planned window.
public struct PlanCampaign: DomainCommand {
    public typealias Target = Campaign
    public static let commandType = "PlanCampaign"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// What people in the company call the campaign.
    public var name: String
    /// The medium the campaign goes out through.
    public var channel: MarketingChannel
    /// The group the campaign is meant for, e.g. `smb-north` or `rfm-champions`.
    public var targetSegment: String
    /// The money set aside; it fixes the currency of the actual cost and of conversion values.
    public var budget: Money
    /// When the campaign is meant to go out; the actual launch is recorded separately.
    public var plannedStart: Date
    /// Must not be before `plannedStart`; a one-day campaign has both on the same day.
    public var plannedEnd: Date

    /// Amounts arrive as `Money`, so they are already non-negative with a currency.
    public init(campaignId: String, name: String, channel: MarketingChannel, targetSegment: String, budget: Money,
                plannedStart: Date, plannedEnd: Date) {
        self.campaignId = campaignId
        self.name = name
        self.channel = channel
        self.targetSegment = targetSegment
        self.budget = budget
        self.plannedStart = plannedStart
        self.plannedEnd = plannedEnd
    }

    public var targetId: String { campaignId }

    public func decide(_ state: Campaign, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(campaignId, "campaignId")
        guard !state.exists else { throw .alreadyExists(kind: "campaign", id: id) }
        let start = try Validate.date(plannedStart, "plannedStart")
        let end = try Validate.date(plannedEnd, "plannedEnd")
        guard end >= start else { throw .invalid(field: "plannedEnd", reason: "must not be before plannedStart") }
        return [CampaignPlanned(campaignId: id, name: try Validate.text(name, "name"), channel: channel,
                                targetSegment: try Validate.text(targetSegment, "targetSegment", max: 100), budget: budget,
                                plannedStart: start, plannedEnd: end, occurredAt: context.now)]
    }
}

/// Puts a planned campaign live. A campaign is launched once; a closed one cannot be relaunched.
public struct LaunchCampaign: DomainCommand {
    public typealias Target = Campaign
    public static let commandType = "LaunchCampaign"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String

    /// Launches the planned campaign `campaignId`.
    public init(campaignId: String) {
        self.campaignId = campaignId
    }

    public var targetId: String { campaignId }

    public func decide(_ state: Campaign, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExisting(campaignId)
        try state.requireOpen(campaignId)
        guard state.stage == .planned else {
            throw .ruleViolated(rule: "campaign-already-launched", detail: "campaign \(campaignId) is already launched")
        }
        return [CampaignLaunched(campaignId: campaignId, occurredAt: context.now)]
    }
}

/// Adds an existing, unmerged customer to the campaign's target list, before or after launch but
/// not after closing. Each customer is targeted once, so response rates count people, not sends.
public struct TargetCampaignMember: DomainCommand {
    public typealias Target = Campaign
    public static let commandType = "TargetCampaignMember"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// The customer on the campaign's target list.
    public var customerId: String

    /// Targets `customerId` in campaign `campaignId`.
    public init(campaignId: String, customerId: String) {
        self.campaignId = campaignId
        self.customerId = customerId
    }

    public var targetId: String { campaignId }
    public var references: [RecordReference] { [.record(Customer.self, customerId)] }

    public func decide(_ state: Campaign, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExisting(campaignId)
        try state.requireOpen(campaignId)
        let customerId = try Validate.id(customerId, "customerId")
        let customer = context.record(Customer.self, customerId) ?? Customer()
        try customer.requireCommandable(customerId)
        guard !state.targeted.contains(customerId) else {
            throw .ruleViolated(rule: "campaign-member-already-targeted",
                                detail: "customer \(customerId) is already targeted by campaign \(campaignId)")
        }
        return [CampaignMemberTargeted(campaignId: campaignId, customerId: customerId, occurredAt: context.now)]
    }
}

/// Records that a targeted customer answered a launched, still open campaign; one response per
/// customer, on whichever channel it came in.
public struct RecordCampaignResponse: DomainCommand {
    public typealias Target = Campaign
    public static let commandType = "RecordCampaignResponse"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// The customer on the campaign's target list.
    public var customerId: String
    /// Where the answer came in, which need not be the campaign's own channel.
    public var channel: MarketingChannel
    /// Free text kept with the record for whoever reviews the campaign.
    public var note: String?

    /// Records `customerId`'s answer to campaign `campaignId`.
    public init(campaignId: String, customerId: String, channel: MarketingChannel, note: String? = nil) {
        self.campaignId = campaignId
        self.customerId = customerId
        self.channel = channel
        self.note = note
    }

    public var targetId: String { campaignId }

    public func decide(_ state: Campaign, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExisting(campaignId)
        try state.requireOpen(campaignId)
        try state.requireLaunched(campaignId)
        try state.requireTargeted(customerId, in: campaignId)
        guard !state.responded.contains(customerId) else {
            throw .ruleViolated(rule: "campaign-member-already-responded",
                                detail: "customer \(customerId) already responded to campaign \(campaignId)")
        }
        return [CampaignMemberResponded(campaignId: campaignId, customerId: customerId, channel: channel,
                                        note: try Validate.optionalText(note, "note"), occurredAt: context.now)]
    }
}

/// Attributes a conversion (an opportunity or an order, and its value) to a targeted customer of
/// a launched campaign. Allowed after closing: orders follow campaigns with a delay.
public struct RecordCampaignConversion: DomainCommand {
    public typealias Target = Campaign
    public static let commandType = "RecordCampaignConversion"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// The customer on the campaign's target list.
    public var customerId: String
    /// The opportunity opened; at most one of `opportunityId` and `orderId`.
    public var opportunityId: String?
    /// The order placed; at most one of `opportunityId` and `orderId`.
    public var orderId: String?
    /// In the budget's currency.
    public var value: Money

    /// Attributes a conversion of `customerId` to campaign `campaignId`.
    public init(campaignId: String, customerId: String, opportunityId: String? = nil, orderId: String? = nil, value: Money) {
        self.campaignId = campaignId
        self.customerId = customerId
        self.opportunityId = opportunityId
        self.orderId = orderId
        self.value = value
    }

    public var targetId: String { campaignId }

    public func decide(_ state: Campaign, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExisting(campaignId)
        try state.requireLaunched(campaignId)
        try state.requireTargeted(customerId, in: campaignId)
        guard !state.converted.contains(customerId) else {
            throw .ruleViolated(rule: "campaign-member-already-converted",
                                detail: "customer \(customerId) already converted in campaign \(campaignId)")
        }
        let opportunity = try opportunityId.map { v throws(DomainError) in try Validate.id(v, "opportunityId") }
        let order = try orderId.map { v throws(DomainError) in try Validate.id(v, "orderId") }
        guard opportunity == nil || order == nil else {
            throw .invalid(field: "orderId", reason: "give an opportunityId or an orderId, not both")
        }
        try state.requireBudgetCurrency(value, "value", in: campaignId)
        return [CampaignMemberConverted(campaignId: campaignId, customerId: customerId, opportunityId: opportunity,
                                        orderId: order, value: value, occurredAt: context.now)]
    }
}

/// Ends a campaign, launched or called off, with its actual cost in the budget's currency.
public struct CloseCampaign: DomainCommand {
    public typealias Target = Campaign
    public static let commandType = "CloseCampaign"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// What the campaign really cost, in the budget's currency, for cost-per-response and return.
    public var actualCost: Money
    /// Free text kept with the record for whoever reviews the campaign.
    public var note: String?

    /// Closes campaign `campaignId` at `actualCost`.
    public init(campaignId: String, actualCost: Money, note: String? = nil) {
        self.campaignId = campaignId
        self.actualCost = actualCost
        self.note = note
    }

    public var targetId: String { campaignId }

    public func decide(_ state: Campaign, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExisting(campaignId)
        guard state.stage != .closed else {
            throw .ruleViolated(rule: "campaign-already-closed", detail: "campaign \(campaignId) is already closed")
        }
        try state.requireBudgetCurrency(actualCost, "actualCost", in: campaignId)
        return [CampaignClosed(campaignId: campaignId, actualCost: actualCost, note: try Validate.optionalText(note, "note"),
                               occurredAt: context.now)]
    }
}
