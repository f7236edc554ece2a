import Foundation

/// Where a lead came from; campaign response and lead-source reports group by it.
public enum LeadSource: String, Sendable, Codable, CaseIterable {
    case webForm, importFile, event, referral, campaign, directMail

    /// The acquisition channel the customer is registered with when the lead converts.
    public var channel: AcquisitionChannel {
        switch self {
        case .webForm: .webForm
        case .importFile: .importFile
        case .event: .event
        case .referral: .referral
        case .campaign: .campaign
        case .directMail: .directMail
        }
    }
}

/// Where a lead stands in qualification; only a qualified lead may be converted.
public enum LeadStatus: String, Sendable, Codable, CaseIterable {
    case captured, qualified, disqualified, converted
}

/// A possible customer was recorded, before anyone judged whether it is worth pursuing.
public struct LeadCaptured: DomainEvent {
    public static let eventType = "LeadCaptured"
    public var leadId: String
    public var source: LeadSource
    /// The person's name.
    public var name: String
    public var organisation: String?
    public var email: String?
    public var phone: String?
    /// The campaign the lead answered, for campaign response rates.
    public var campaignId: String?
    public var notes: String?
    public var occurredAt: Date
}

/// The lead meets the qualification criteria; `reason` says which (budget, need, timing…).
public struct LeadQualified: DomainEvent {
    public static let eventType = "LeadQualified"
    public var leadId: String
    public var reason: String
    public var occurredAt: Date
}

/// The lead is not worth pursuing, and why (no budget, competitor, spam…).
public struct LeadDisqualified: DomainEvent {
    public static let eventType = "LeadDisqualified"
    public var leadId: String
    public var reason: String
    public var occurredAt: Date
}

/// The lead became a customer and an opportunity; written atomically with `CustomerRegistered`
/// on the customer's stream and `OpportunityOpened` on the opportunity's.
public struct LeadConverted: DomainEvent {
    public static let eventType = "LeadConverted"
    public var leadId: String
    public var customerId: String
    public var opportunityId: String
    public var occurredAt: Date
}
