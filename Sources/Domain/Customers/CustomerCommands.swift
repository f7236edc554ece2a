import Foundation

/// Registers a new customer. A registration that resembles existing customers (same normalized
/// e-mail, phone, or name and organisation) is refused with their ids unless `registerAnyway` is
/// set, which records `DuplicateAcknowledged`.
public struct RegisterCustomer: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "RegisterCustomer"
    public var customerId: String
    public var kind: CustomerKind
    public var name: String
    public var organisation: String?
    public var email: String?
    public var phone: String?
    public var address: String?
    public var channel: AcquisitionChannel
    public var sourceCampaignId: String?
    public var registerAnyway: Bool?

    public init(customerId: String, kind: CustomerKind, name: String, organisation: String? = nil, email: String? = nil,
                phone: String? = nil, address: String? = nil, channel: AcquisitionChannel, sourceCampaignId: String? = nil,
                registerAnyway: Bool? = nil) {
        self.customerId = customerId
        self.kind = kind
        self.name = name
        self.organisation = organisation
        self.email = email
        self.phone = phone
        self.address = address
        self.channel = channel
        self.sourceCampaignId = sourceCampaignId
        self.registerAnyway = registerAnyway
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(customerId, "customerId")
        guard !state.exists else { throw .alreadyExists(kind: "customer", id: id) }
        let organisation = try Validate.optionalText(organisation, "organisation")
        if kind == .organisation, organisation == nil {
            throw .invalid(field: "organisation", reason: "required for an organisation")
        }
        let registered = CustomerRegistered(
            customerId: id, kind: kind, name: try Validate.text(name, "name"), organisation: organisation,
            email: try Validate.email(email), phone: try Validate.phone(phone),
            address: try Validate.optionalText(address, "address", max: 500), channel: channel,
            sourceCampaignId: try sourceCampaignId.map { id throws(DomainError) in try Validate.id(id, "sourceCampaignId") },
            occurredAt: context.now)
        let matches = context.duplicateMatches.filter { $0.customerId != id }
        guard !matches.isEmpty else { return [registered] }
        guard registerAnyway == true else {
            throw .likelyDuplicate(matches: matches.map(\.customerId), on: Array(Set(matches.flatMap(\.fields))).sorted())
        }
        return [registered, DuplicateAcknowledged(customerId: id, matches: matches, occurredAt: context.now)]
    }
}

/// Changes profile fields; only fields whose value actually changes are recorded, with old and new.
public struct ChangeCustomerProfile: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "ChangeCustomerProfile"
    public var customerId: String
    /// New values by field name (`name`, `organisation`, `email`, `phone`, `address`); null clears.
    public var fields: [String: String?]

    public init(customerId: String, fields: [String: String?]) {
        self.customerId = customerId
        self.fields = fields
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        guard !fields.isEmpty else { throw .invalid(field: "fields", reason: "no fields to change") }
        var changes: [FieldChange] = []
        for (field, raw) in fields.sorted(by: { $0.key < $1.key }) {
            guard Customer.profileFields.contains(field) else {
                throw .invalid(field: field, reason: "not a profile field (\(Customer.profileFields.sorted().joined(separator: ", ")))")
            }
            let value: String?
            switch field {
            case "email": value = try Validate.email(raw, field)
            case "phone": value = try Validate.phone(raw, field)
            case "name":
                guard let raw else { throw .invalid(field: "name", reason: "cannot be cleared") }
                value = try Validate.text(raw, field)
            default: value = try Validate.optionalText(raw, field, max: 500)
            }
            if field == "organisation", state.kind == .organisation, value == nil {
                throw .invalid(field: "organisation", reason: "required for an organisation")
            }
            if state.profile[field] != value { changes.append(FieldChange(field: field, old: state.profile[field], new: value)) }
        }
        guard !changes.isEmpty else { return [] }
        return [CustomerProfileChanged(customerId: customerId, changes: changes, occurredAt: context.now)]
    }
}

/// Sets the customer's segment, region, industry, size and tier.
public struct ClassifyCustomer: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "ClassifyCustomer"
    public var customerId: String
    public var classification: Classification

    public init(customerId: String, classification: Classification) {
        self.customerId = customerId
        self.classification = classification
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        let c = classification
        let clean = Classification(
            segment: try Validate.text(c.segment, "segment", max: 50), region: try Validate.text(c.region, "region", max: 50),
            industry: try Validate.text(c.industry, "industry", max: 80), size: try Validate.text(c.size, "size", max: 30),
            tier: try Validate.text(c.tier, "tier", max: 30))
        guard clean != state.classification else { return [] }
        return [CustomerClassified(customerId: customerId, classification: clean, previous: state.classification, occurredAt: context.now)]
    }
}

/// Hands the account to a customer manager (a reassignment records the previous one).
public struct AssignCustomerManager: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "AssignCustomerManager"
    public var customerId: String
    public var managerId: String

    public init(customerId: String, managerId: String) {
        self.customerId = customerId
        self.managerId = managerId
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        let manager = try Validate.id(managerId, "managerId")
        guard state.managerId != manager else { return [] }
        return [CustomerManagerAssigned(customerId: customerId, managerId: manager, previousManagerId: state.managerId, occurredAt: context.now)]
    }
}

public struct AddContact: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "AddContact"
    public var customerId: String
    public var contactId: String
    public var name: String
    public var email: String?
    public var phone: String?
    public var role: String?

    public init(customerId: String, contactId: String, name: String, email: String? = nil, phone: String? = nil, role: String? = nil) {
        self.customerId = customerId
        self.contactId = contactId
        self.name = name
        self.email = email
        self.phone = phone
        self.role = role
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        let id = try Validate.id(contactId, "contactId")
        guard state.contacts[id] == nil else { throw .alreadyExists(kind: "contact", id: id) }
        return [ContactAdded(customerId: customerId, contactId: id, name: try Validate.text(name, "name"),
                             email: try Validate.email(email), phone: try Validate.phone(phone),
                             role: try Validate.optionalText(role, "role", max: 100), occurredAt: context.now)]
    }
}

public struct ChangeContact: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "ChangeContact"
    public var customerId: String
    public var contactId: String
    /// New values of `name`, `email`, `phone`, `role`; null clears (except `name`).
    public var fields: [String: String?]

    public init(customerId: String, contactId: String, fields: [String: String?]) {
        self.customerId = customerId
        self.contactId = contactId
        self.fields = fields
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        guard let contact = state.contacts[contactId] else { throw .notFound(kind: "contact", id: contactId) }
        let current: [String: String?] = ["name": contact.name, "email": contact.email, "phone": contact.phone, "role": contact.role]
        var changes: [FieldChange] = []
        for (field, raw) in fields.sorted(by: { $0.key < $1.key }) {
            let value: String?
            switch field {
            case "name":
                guard let raw else { throw .invalid(field: "name", reason: "cannot be cleared") }
                value = try Validate.text(raw, field)
            case "email": value = try Validate.email(raw, field)
            case "phone": value = try Validate.phone(raw, field)
            case "role": value = try Validate.optionalText(raw, field, max: 100)
            default: throw .invalid(field: field, reason: "not a contact field (email, name, phone, role)")
            }
            let old = current[field] ?? nil
            if old != value { changes.append(FieldChange(field: field, old: old, new: value)) }
        }
        guard !changes.isEmpty else { return [] }
        return [ContactChanged(customerId: customerId, contactId: contactId, changes: changes, occurredAt: context.now)]
    }
}

public struct RemoveContact: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "RemoveContact"
    public var customerId: String
    public var contactId: String

    public init(customerId: String, contactId: String) {
        self.customerId = customerId
        self.contactId = contactId
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        guard state.contacts[contactId] != nil else { throw .notFound(kind: "contact", id: contactId) }
        return [ContactRemoved(customerId: customerId, contactId: contactId, occurredAt: context.now)]
    }
}

/// Records that the customer gave (or, with `given: false`, withdrew) consent for a purpose.
public struct RecordConsent: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "RecordConsent"
    public var customerId: String
    public var purpose: String
    public var given: Bool

    public init(customerId: String, purpose: String, given: Bool) {
        self.customerId = customerId
        self.purpose = purpose
        self.given = given
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        let purpose = try Validate.text(purpose, "purpose", max: 80)
        if given {
            return state.consents.contains(purpose) ? [] : [ConsentGiven(customerId: customerId, purpose: purpose, occurredAt: context.now)]
        }
        return state.consents.contains(purpose) ? [ConsentWithdrawn(customerId: customerId, purpose: purpose, occurredAt: context.now)] : []
    }
}

/// Deactivates (`active: false`) or reactivates the customer, with a reason.
public struct SetCustomerActive: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "SetCustomerActive"
    public var customerId: String
    public var active: Bool
    public var reason: String

    public init(customerId: String, active: Bool, reason: String) {
        self.customerId = customerId
        self.active = active
        self.reason = reason
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        let reason = try Validate.text(reason, "reason", max: 500)
        guard state.isActive != active else {
            throw .ruleViolated(rule: active ? "customer-already-active" : "customer-already-inactive",
                                detail: "customer \(customerId) is already \(active ? "active" : "inactive")")
        }
        return active
            ? [CustomerReactivated(customerId: customerId, reason: reason, occurredAt: context.now)]
            : [CustomerDeactivated(customerId: customerId, reason: reason, occurredAt: context.now)]
    }
}

/// Adds (`tagged: true`) or removes a free-form tag used to filter customer lists.
public struct TagCustomer: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "TagCustomer"
    public var customerId: String
    public var tag: String
    public var tagged: Bool

    public init(customerId: String, tag: String, tagged: Bool = true) {
        self.customerId = customerId
        self.tag = tag
        self.tagged = tagged
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        let tag = try Validate.text(tag, "tag", max: 50).lowercased()
        if tagged { return state.tags.contains(tag) ? [] : [CustomerTagged(customerId: customerId, tag: tag, occurredAt: context.now)] }
        return state.tags.contains(tag) ? [CustomerUntagged(customerId: customerId, tag: tag, occurredAt: context.now)] : []
    }
}

/// Logs one interaction on any channel, optionally linked to a case, opportunity or campaign.
public struct LogInteraction: DomainCommand {
    public typealias Target = Customer
    public static let commandType = "LogInteraction"
    public var customerId: String
    public var interactionId: String
    public var channel: InteractionChannel
    public var direction: Direction
    public var durationSeconds: Int?
    public var outcome: String
    public var subject: String?
    public var notes: String?
    public var contactId: String?
    public var caseId: String?
    public var opportunityId: String?
    public var campaignId: String?

    public init(customerId: String, interactionId: String, channel: InteractionChannel, direction: Direction,
                durationSeconds: Int? = nil, outcome: String, subject: String? = nil, notes: String? = nil,
                contactId: String? = nil, caseId: String? = nil, opportunityId: String? = nil, campaignId: String? = nil) {
        self.customerId = customerId
        self.interactionId = interactionId
        self.channel = channel
        self.direction = direction
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.subject = subject
        self.notes = notes
        self.contactId = contactId
        self.caseId = caseId
        self.opportunityId = opportunityId
        self.campaignId = campaignId
    }

    public var targetId: String { customerId }

    public func decide(_ state: Customer, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireCommandable(customerId)
        let id = try Validate.id(interactionId, "interactionId")
        guard !state.recentInteractionIds.contains(id) else { throw .alreadyExists(kind: "interaction", id: id) }
        if let durationSeconds, !(0...86_400).contains(durationSeconds) {
            throw .invalid(field: "durationSeconds", reason: "must be between 0 and 86400")
        }
        if let contactId, state.contacts[contactId] == nil { throw .notFound(kind: "contact", id: contactId) }
        return [InteractionLogged(
            customerId: customerId, interactionId: id, channel: channel, direction: direction, durationSeconds: durationSeconds,
            outcome: try Validate.text(outcome, "outcome", max: 50), subject: try Validate.optionalText(subject, "subject", max: 200),
            notes: try Validate.optionalText(notes, "notes", max: 4000), contactId: contactId,
            caseId: try caseId.map { v throws(DomainError) in try Validate.id(v, "caseId") },
            opportunityId: try opportunityId.map { v throws(DomainError) in try Validate.id(v, "opportunityId") },
            campaignId: try campaignId.map { v throws(DomainError) in try Validate.id(v, "campaignId") },
            occurredAt: context.now)]
    }
}
