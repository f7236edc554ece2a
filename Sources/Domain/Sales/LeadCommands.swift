import Foundation

/// Records a new lead from a web form, an import, an event, a referral, a campaign or direct mail.
/// A lead must be reachable: an e-mail address or a phone number is required.
public struct CaptureLead: DomainCommand {
    public typealias Target = Lead
    public static let commandType = "CaptureLead"
    public var leadId: String
    public var source: LeadSource
    public var name: String
    public var organisation: String?
    public var email: String?
    public var phone: String?
    public var campaignId: String?
    public var notes: String?

    public init(leadId: String, source: LeadSource, name: String, organisation: String? = nil, email: String? = nil,
                phone: String? = nil, campaignId: String? = nil, notes: String? = nil) {
        self.leadId = leadId
        self.source = source
        self.name = name
        self.organisation = organisation
        self.email = email
        self.phone = phone
        self.campaignId = campaignId
        self.notes = notes
    }

    public var targetId: String { leadId }

    public func decide(_ state: Lead, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(leadId, "leadId")
        guard !state.exists else { throw .alreadyExists(kind: "lead", id: id) }
        let email = try Validate.email(email)
        let phone = try Validate.phone(phone)
        guard email != nil || phone != nil else { throw .invalid(field: "email", reason: "an e-mail address or a phone number is required") }
        return [LeadCaptured(
            leadId: id, source: source, name: try Validate.text(name, "name"),
            organisation: try Validate.optionalText(organisation, "organisation"), email: email, phone: phone,
            campaignId: try campaignId.map { v throws(DomainError) in try Validate.id(v, "campaignId") },
            notes: try Validate.optionalText(notes, "notes", max: 4000), occurredAt: context.now)]
    }
}

/// Marks a captured lead as worth pursuing. Qualifying a qualified lead changes nothing; a
/// disqualified lead stays disqualified.
public struct QualifyLead: DomainCommand {
    public typealias Target = Lead
    public static let commandType = "QualifyLead"
    public var leadId: String
    /// Which qualification criteria the lead meets.
    public var reason: String

    public init(leadId: String, reason: String) {
        self.leadId = leadId
        self.reason = reason
    }

    public var targetId: String { leadId }

    public func decide(_ state: Lead, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireUnconverted(leadId)
        let reason = try Validate.text(reason, "reason", max: 500)
        guard state.status != .disqualified else {
            throw .ruleViolated(rule: "lead-disqualified", detail: "lead \(leadId) was disqualified")
        }
        guard state.status == .captured else { return [] }
        return [LeadQualified(leadId: leadId, reason: reason, occurredAt: context.now)]
    }
}

/// Rules a lead out, with the reason; a disqualified lead can no longer be converted.
public struct DisqualifyLead: DomainCommand {
    public typealias Target = Lead
    public static let commandType = "DisqualifyLead"
    public var leadId: String
    public var reason: String

    public init(leadId: String, reason: String) {
        self.leadId = leadId
        self.reason = reason
    }

    public var targetId: String { leadId }

    public func decide(_ state: Lead, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireUnconverted(leadId)
        let reason = try Validate.text(reason, "reason", max: 500)
        guard state.status != .disqualified else { return [] }
        return [LeadDisqualified(leadId: leadId, reason: reason, occurredAt: context.now)]
    }
}
