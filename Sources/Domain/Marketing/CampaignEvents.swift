import Foundation

/// The media a campaign reaches people through, and that they answer on. One vocabulary for both,
/// so response-by-channel reports line up with the channels campaigns were run on.
public enum MarketingChannel: String, Sendable, Codable, CaseIterable {
    case email, directMail, phone, sms, social, web, event, print, walkIn
}

/// A campaign was drawn up: what it aims at, through which channel, with what money and when.
public struct CampaignPlanned: DomainEvent {
    public static let eventType = "CampaignPlanned"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// What people in the company call the campaign.
    public var name: String
    /// The medium the campaign goes out through.
    public var channel: MarketingChannel
    /// The group the campaign is meant for, e.g. `smb-north` or `rfm-champions`.
    public var targetSegment: String
    /// The money set aside; the actual cost recorded at closing is in the same currency.
    public var budget: Money
    /// When the campaign is meant to go out; the actual launch is recorded separately.
    public var plannedStart: Date
    /// Never before `plannedStart`.
    public var plannedEnd: Date
    public var occurredAt: Date
}

/// The campaign went live; responses and conversions count from here.
public struct CampaignLaunched: DomainEvent {
    public static let eventType = "CampaignLaunched"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    public var occurredAt: Date
}

/// A customer was put on the campaign's target list (once per customer).
public struct CampaignMemberTargeted: DomainEvent {
    public static let eventType = "CampaignMemberTargeted"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// The customer on the campaign's target list.
    public var customerId: String
    public var occurredAt: Date
}

/// A targeted customer answered the campaign; the response rate is built from these.
public struct CampaignMemberResponded: DomainEvent {
    public static let eventType = "CampaignMemberResponded"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// The customer on the campaign's target list.
    public var customerId: String
    /// Where the answer came in, which need not be the campaign's own channel.
    public var channel: MarketingChannel
    /// Free text kept with the record for whoever reviews the campaign.
    public var note: String?
    public var occurredAt: Date
}

/// A targeted customer bought or opened a deal because of the campaign; the return on the
/// campaign is built from these values against its cost.
public struct CampaignMemberConverted: DomainEvent {
    public static let eventType = "CampaignMemberConverted"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// The customer on the campaign's target list.
    public var customerId: String
    /// The opportunity the conversion opened, if it was one.
    public var opportunityId: String?
    /// The order the conversion produced, if it was one.
    public var orderId: String?
    /// What the conversion is worth, in the budget's currency.
    public var value: Money
    public var occurredAt: Date
}

/// The campaign ended with what it really cost; no one is targeted or answers after this, but
/// late conversions are still attributed to it.
public struct CampaignClosed: DomainEvent {
    public static let eventType = "CampaignClosed"
    /// Names the stream `campaign-<id>`; chosen by the caller so retries and imports are idempotent.
    public var campaignId: String
    /// What the campaign really cost, in the budget's currency, for cost-per-response and return.
    public var actualCost: Money
    /// Free text kept with the record for whoever reviews the campaign.
    public var note: String?
    public var occurredAt: Date
}
