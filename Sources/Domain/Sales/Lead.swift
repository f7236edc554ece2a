import Foundation

/// The lead aggregate (`lead-<id>`): what qualification and conversion decisions need.
public struct Lead: Aggregate, Equatable {
    public static let category = "lead"
    public static let eventTypes: [any DomainEvent.Type] = [
        LeadCaptured.self, LeadQualified.self, LeadDisqualified.self, LeadConverted.self,
    ]

    public var id: String?
    public var status: LeadStatus = .captured
    public var source: LeadSource = .webForm
    public var name = ""
    public var organisation: String?
    public var email: String?
    public var phone: String?
    public var campaignId: String?
    /// Set once converted: the customer and opportunity the lead became.
    public var customerId: String?
    public var opportunityId: String?
    /// Set once the lead was erased on request (`SubjectErased` on its stream).
    public var isErased = false

    public init() {}

    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as LeadCaptured:
            id = e.leadId
            status = .captured
            source = e.source
            name = e.name
            organisation = e.organisation
            email = e.email
            phone = e.phone
            campaignId = e.campaignId
        case is LeadQualified:
            status = .qualified
        case is LeadDisqualified:
            status = .disqualified
        case let e as LeadConverted:
            status = .converted
            customerId = e.customerId
            opportunityId = e.opportunityId
        case is SubjectErased:
            isErased = true
            name = PersonalDataProtection.erasedMarker
            organisation = nil
            email = nil
            phone = nil
        default:
            break
        }
    }

    /// The guard of every command on an existing lead: it exists and has not been converted.
    func requireUnconverted(_ id: String) throws(DomainError) {
        guard exists else { throw .notFound(kind: "lead", id: id) }
        if isErased { throw .subjectErased("lead:" + id) }
        if status == .converted {
            throw .ruleViolated(rule: "lead-already-converted",
                                detail: "lead \(id) was converted into customer \(customerId ?? "?") and opportunity \(opportunityId ?? "?")")
        }
    }
}
