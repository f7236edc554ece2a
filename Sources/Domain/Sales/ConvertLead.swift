import Foundation

/// Turns a qualified lead into a customer and an opportunity in one step. Three streams change
/// together (see `LeadConversion`): the lead records `LeadConverted`, the new customer
/// `CustomerRegistered` (with `DuplicateAcknowledged` when registered anyway), and the new
/// opportunity `OpportunityOpened`. Each part is decided by the same rules as its own command
/// (`RegisterCustomer`, `OpenOpportunity`), so a conversion can never create what they would refuse.
public struct ConvertLead: Codable, Sendable {
    public static let commandType = "ConvertLead"
    public var leadId: String
    public var customerId: String
    public var opportunityId: String
    /// nil: an organisation when the lead names one, otherwise a person.
    public var customerKind: CustomerKind?
    public var processId: String
    /// nil: the lead's organisation, or else its name.
    public var title: String?
    public var cycleKind: SalesCycleKind
    public var amount: Money
    public var expectedCloseDate: Date
    public var ownerId: String
    /// Keep the new customer although it resembles existing ones (as in `RegisterCustomer`).
    public var registerAnyway: Bool?

    public init(leadId: String, customerId: String, opportunityId: String, customerKind: CustomerKind? = nil, processId: String,
                title: String? = nil, cycleKind: SalesCycleKind = .newBusiness, amount: Money, expectedCloseDate: Date,
                ownerId: String, registerAnyway: Bool? = nil) {
        self.leadId = leadId
        self.customerId = customerId
        self.opportunityId = opportunityId
        self.customerKind = customerKind
        self.processId = processId
        self.title = title
        self.cycleKind = cycleKind
        self.amount = amount
        self.expectedCloseDate = expectedCloseDate
        self.ownerId = ownerId
        self.registerAnyway = registerAnyway
    }

    /// The registration the conversion performs, with the lead's contact details.
    public func registration(of lead: Lead) -> RegisterCustomer {
        RegisterCustomer(customerId: customerId, kind: customerKind ?? (lead.organisation == nil ? .person : .organisation),
                         name: lead.name, organisation: lead.organisation, email: lead.email, phone: lead.phone,
                         channel: lead.source.channel, sourceCampaignId: lead.campaignId, registerAnyway: registerAnyway)
    }

    /// The opening the conversion performs.
    public func opening(of lead: Lead) -> OpenOpportunity {
        OpenOpportunity(opportunityId: opportunityId, customerId: customerId, processId: processId,
                        title: title ?? lead.organisation ?? lead.name, cycleKind: cycleKind, amount: amount,
                        expectedCloseDate: expectedCloseDate, ownerId: ownerId, leadId: leadId)
    }

    /// The events for each of the three streams, or the first rule any part breaks. `context`
    /// carries the duplicate matches of the new customer; `process` is nil when it does not exist.
    public func decide(lead: Lead, customer: Customer, opportunity: Opportunity, process: SalesProcess?,
                       _ context: DecisionContext) throws(DomainError) -> (lead: [any DomainEvent], customer: [any DomainEvent], opportunity: [any DomainEvent]) {
        try lead.requireUnconverted(leadId)
        if lead.status == .disqualified {
            throw .ruleViolated(rule: "lead-disqualified", detail: "lead \(leadId) was disqualified")
        }
        guard lead.status == .qualified else {
            throw .ruleViolated(rule: "lead-not-qualified", detail: "lead \(leadId) must be qualified before it is converted")
        }
        let customerEvents = try registration(of: lead).decide(customer, context)
        var opening = context
        opening.records[Customer.stream(customerId)] = customer.applying(customerEvents)
        opening.records[SalesProcess.stream(processId)] = process
        let opportunityEvents = try self.opening(of: lead).decide(opportunity, opening)
        return ([LeadConverted(leadId: leadId, customerId: customerId, opportunityId: opportunityId, occurredAt: context.now)],
                customerEvents, opportunityEvents)
    }
}
