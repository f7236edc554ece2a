import Foundation

/// A person or an organisation.
public enum CustomerKind: String, Sendable, Codable, CaseIterable { case person, organisation }

/// How a customer or lead first reached the company.
public enum AcquisitionChannel: String, Sendable, Codable, CaseIterable {
    case webForm, phone, email, referral, event, directMail, campaign, walkIn, importFile, social, partner
}

/// The medium of one interaction.
public enum InteractionChannel: String, Sendable, Codable, CaseIterable { case call, email, meeting, webForm, chat, social }

/// Who started an interaction.
public enum Direction: String, Sendable, Codable, CaseIterable { case inbound, outbound }

/// Segmentation of a customer: the dimensions analytics slice by.
public struct Classification: Sendable, Codable, Equatable {
    /// e.g. `enterprise`, `smb`, `consumer`.
    public var segment: String
    /// e.g. `north`, `south`, `west`.
    public var region: String
    public var industry: String
    /// e.g. `small`, `medium`, `large`.
    public var size: String
    /// Service tier: `key`, `group`, `ordinary` (the design documents' grades).
    public var tier: String

    public init(segment: String, region: String, industry: String, size: String, tier: String) {
        self.segment = segment
        self.region = region
        self.industry = industry
        self.size = size
        self.tier = tier
    }
}

/// One field's change, with old and new values, for the field-level history auditors ask for.
public struct FieldChange: Sendable, Codable, Equatable {
    public var field: String
    public var old: String?
    public var new: String?

    public init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

public struct CustomerRegistered: DomainEvent {
    public static let eventType = "CustomerRegistered"
    public var customerId: String
    public var kind: CustomerKind
    public var name: String
    public var organisation: String?
    public var email: String?
    public var phone: String?
    public var address: String?
    public var channel: AcquisitionChannel
    public var sourceCampaignId: String?
    public var occurredAt: Date
}

/// Registration went ahead although it resembled existing customers.
public struct DuplicateAcknowledged: DomainEvent {
    public static let eventType = "DuplicateAcknowledged"
    public var customerId: String
    public var matches: [DuplicateMatch]
    public var occurredAt: Date
}

public struct CustomerProfileChanged: DomainEvent {
    public static let eventType = "CustomerProfileChanged"
    public var customerId: String
    public var changes: [FieldChange]
    public var occurredAt: Date
}

public struct CustomerClassified: DomainEvent {
    public static let eventType = "CustomerClassified"
    public var customerId: String
    public var classification: Classification
    public var previous: Classification?
    public var occurredAt: Date
}

/// A customer manager took over the account (`previousManagerId` set when it is a reassignment).
public struct CustomerManagerAssigned: DomainEvent {
    public static let eventType = "CustomerManagerAssigned"
    public var customerId: String
    public var managerId: String
    public var previousManagerId: String?
    public var occurredAt: Date
}

public struct ContactAdded: DomainEvent {
    public static let eventType = "ContactAdded"
    public var customerId: String
    public var contactId: String
    public var name: String
    public var email: String?
    public var phone: String?
    public var role: String?
    public var occurredAt: Date
}

public struct ContactChanged: DomainEvent {
    public static let eventType = "ContactChanged"
    public var customerId: String
    public var contactId: String
    public var changes: [FieldChange]
    public var occurredAt: Date
}

public struct ContactRemoved: DomainEvent {
    public static let eventType = "ContactRemoved"
    public var customerId: String
    public var contactId: String
    public var occurredAt: Date
}

public struct ConsentGiven: DomainEvent {
    public static let eventType = "ConsentGiven"
    public var customerId: String
    /// What the customer agreed to, e.g. `marketing-email`, `phone-calls`.
    public var purpose: String
    public var occurredAt: Date
}

public struct ConsentWithdrawn: DomainEvent {
    public static let eventType = "ConsentWithdrawn"
    public var customerId: String
    public var purpose: String
    public var occurredAt: Date
}

public struct CustomerDeactivated: DomainEvent {
    public static let eventType = "CustomerDeactivated"
    public var customerId: String
    public var reason: String
    public var occurredAt: Date
}

public struct CustomerReactivated: DomainEvent {
    public static let eventType = "CustomerReactivated"
    public var customerId: String
    public var reason: String
    public var occurredAt: Date
}

public struct CustomerTagged: DomainEvent {
    public static let eventType = "CustomerTagged"
    public var customerId: String
    public var tag: String
    public var occurredAt: Date
}

public struct CustomerUntagged: DomainEvent {
    public static let eventType = "CustomerUntagged"
    public var customerId: String
    public var tag: String
    public var occurredAt: Date
}

/// On the survivor's stream: it absorbed another customer, whose history stays in its own stream.
public struct CustomerMerged: DomainEvent {
    public static let eventType = "CustomerMerged"
    public var customerId: String
    public var absorbedId: String
    public var reason: String
    public var occurredAt: Date
}

/// On the absorbed customer's stream: from now on, commands go to `survivorId`.
public struct CustomerAbsorbed: DomainEvent {
    public static let eventType = "CustomerAbsorbed"
    public var customerId: String
    public var survivorId: String
    public var occurredAt: Date
}

/// One contact with the customer on any channel; kept on the customer's stream, linked to the case,
/// opportunity or campaign it concerns.
public struct InteractionLogged: DomainEvent {
    public static let eventType = "InteractionLogged"
    public var customerId: String
    public var interactionId: String
    public var channel: InteractionChannel
    public var direction: Direction
    public var durationSeconds: Int?
    /// e.g. `reached`, `voicemail`, `interested`, `follow-up`, `resolved`.
    public var outcome: String
    public var subject: String?
    public var notes: String?
    public var contactId: String?
    public var caseId: String?
    public var opportunityId: String?
    public var campaignId: String?
    public var occurredAt: Date
}
