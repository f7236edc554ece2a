import Foundation

/// The customer aggregate (`customer-<id>`): what decisions about a customer need to know.
public struct Customer: Aggregate, Equatable {
    public static let category = "customer"
    public static let eventTypes: [any DomainEvent.Type] = [
        CustomerRegistered.self, DuplicateAcknowledged.self, CustomerProfileChanged.self, CustomerClassified.self,
        CustomerManagerAssigned.self, ContactAdded.self, ContactChanged.self, ContactRemoved.self,
        ConsentGiven.self, ConsentWithdrawn.self, CustomerDeactivated.self, CustomerReactivated.self,
        CustomerTagged.self, CustomerUntagged.self, CustomerMerged.self, CustomerAbsorbed.self, InteractionLogged.self, SubjectErased.self,
    ]

    /// A contact person of the customer.
    public struct Contact: Sendable, Equatable {
        public var name: String
        public var email: String?
        public var phone: String?
        public var role: String?
    }

    public var id: String?
    public var kind: CustomerKind = .person
    /// The editable profile fields by name: `name`, `organisation`, `email`, `phone`, `address`.
    public var profile: [String: String] = [:]
    public var classification: Classification?
    public var managerId: String?
    public var contacts: [String: Contact] = [:]
    public var consents: Set<String> = []
    public var tags: Set<String> = []
    public var isActive = true
    public var mergedInto: String?
    /// Set once the customer was erased on request (`SubjectErased`).
    public var isErased = false
    public var absorbed: [String] = []
    /// The latest interaction ids, to refuse one sent twice (bounded: see `RecentInteractions`).
    public var recentInteractionIds = RecentInteractions()
    public var interactionCount = 0

    public init() {}

    public var exists: Bool { id != nil }

    /// The profile fields a `ChangeCustomerProfile` command may set.
    public static let profileFields: Set<String> = ["name", "organisation", "email", "phone", "address"]

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as CustomerRegistered:
            id = e.customerId
            kind = e.kind
            profile = ["name": e.name]
            profile["organisation"] = e.organisation
            profile["email"] = e.email
            profile["phone"] = e.phone
            profile["address"] = e.address
        case let e as CustomerProfileChanged:
            for change in e.changes { profile[change.field] = change.new }
        case let e as CustomerClassified:
            classification = e.classification
        case let e as CustomerManagerAssigned:
            managerId = e.managerId
        case let e as ContactAdded:
            contacts[e.contactId] = Contact(name: e.name, email: e.email, phone: e.phone, role: e.role)
        case let e as ContactChanged:
            for change in e.changes {
                switch change.field {
                case "name": contacts[e.contactId]?.name = change.new ?? ""
                case "email": contacts[e.contactId]?.email = change.new
                case "phone": contacts[e.contactId]?.phone = change.new
                case "role": contacts[e.contactId]?.role = change.new
                default: break
                }
            }
        case let e as ContactRemoved:
            contacts[e.contactId] = nil
        case let e as ConsentGiven:
            consents.insert(e.purpose)
        case let e as ConsentWithdrawn:
            consents.remove(e.purpose)
        case is CustomerDeactivated:
            isActive = false
        case is CustomerReactivated:
            isActive = true
        case let e as CustomerTagged:
            tags.insert(e.tag)
        case let e as CustomerUntagged:
            tags.remove(e.tag)
        case let e as CustomerMerged:
            absorbed.append(e.absorbedId)
        case let e as CustomerAbsorbed:
            mergedInto = e.survivorId
        case let e as InteractionLogged:
            recentInteractionIds.insert(e.interactionId)
            interactionCount += 1
        case let e as SubjectErased:
            let marker = PersonalDataProtection.erasedMarker
            for subject in e.erasedSubjects {
                if subject == "customer:" + (id ?? "") {
                    isErased = true
                    for field in profile.keys { profile[field] = marker }
                } else if subject.hasPrefix("contact:"), contacts[String(subject.dropFirst(8))] != nil {
                    contacts[String(subject.dropFirst(8))] = Contact(name: marker, email: nil, phone: nil, role: nil)
                }
            }
        default:
            break
        }
    }

    /// The guard every command on an existing customer starts with.
    func requireCommandable(_ id: String) throws(DomainError) {
        guard exists else { throw .notFound(kind: "customer", id: id) }
        if let survivor = mergedInto { throw .customerMerged(absorbed: id, survivor: survivor) }
        if isErased { throw .subjectErased("customer:" + id) }
    }
}
