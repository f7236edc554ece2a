import Domain
import Foundation

/// Everything the operational screens show about one customer, read from one snapshot.
public struct Customer360: Sendable, Codable, Equatable {
    /// One currency's balance line.
    public struct Balance: Sendable, Codable, Equatable {
        public var currency: String
        public var invoiced: Int64
        public var paid: Int64
        public var writtenOff: Int64
        public var outstanding: Int64
        public var overdue: Int64
    }

    public var customerId: String
    public var kind: CustomerKind
    public var name: String
    public var organisation: String?
    public var email: String?
    public var phone: String?
    public var address: String?
    public var channel: AcquisitionChannel
    public var sourceCampaignId: String?
    public var registeredAt: Date
    public var classification: Classification?
    public var managerId: String?
    public var tags: [String]
    /// By contact id.
    public var contacts: [CustomerContact]
    public var consents: [String]
    /// False while deactivated.
    public var isActive: Bool
    /// The survivor when this customer was absorbed; its operational items are shown there.
    public var mergedInto: String?
    public var absorbedIds: [String]
    /// Open opportunities (its own and absorbed customers'), by expected close date then id.
    public var openOpportunities: [CustomerOpportunity]
    /// Open cases (its own and absorbed customers'), by opening time then id.
    public var openCases: [CustomerCase]
    /// The last 20 interactions, newest first.
    public var recentInteractions: [CustomerInteraction]
    /// Per currency, sorted by currency; amounts in minor units.
    public var balances: [Balance]
    public var lifecycleState: CustomerLifecycleState
    public var firstPurchaseAt: Date?
    /// Left for the state-cycle projector's grades; this projector does not compute them.
    public var valueGrade: String?
    /// Left for the state-cycle projector's grades; this projector does not compute them.
    public var riskGrade: String?
    /// The log position the answer reflects.
    public var position: UInt64

    /// The 360 view of `customerId`, or nil when no such customer was registered.
    public static func query(_ reader: ReadModelReader, customerId: String) throws -> Customer360? {
        guard let record = try reader.get(Customer360Projector.customers, customerId) else { return nil }
        var opportunities: [CustomerOpportunity] = []
        for id in record.openOpportunityIds {
            if let item = try reader.get(Customer360Projector.opportunities, id) { opportunities.append(item) }
        }
        opportunities.sort { ($0.expectedCloseDate, $0.opportunityId) < ($1.expectedCloseDate, $1.opportunityId) }
        var cases: [CustomerCase] = []
        for id in record.openCaseIds {
            if let item = try reader.get(Customer360Projector.cases, id) { cases.append(item) }
        }
        cases.sort { ($0.openedAt, $0.caseId) < ($1.openedAt, $1.caseId) }
        let balances = record.balances.keys.sorted().map { currency in
            let b = record.balances[currency]!
            return Balance(currency: currency, invoiced: b.invoiced, paid: b.paid, writtenOff: b.writtenOff,
                           outstanding: b.outstanding, overdue: b.overdue)
        }
        return Customer360(
            customerId: record.customerId, kind: record.kind, name: record.name, organisation: record.organisation,
            email: record.email, phone: record.phone, address: record.address, channel: record.channel,
            sourceCampaignId: record.sourceCampaignId, registeredAt: record.registeredAt, classification: record.classification,
            managerId: record.managerId, tags: record.tags,
            contacts: record.contacts.keys.sorted().map { record.contacts[$0]! }, consents: record.consents,
            isActive: record.isActive, mergedInto: record.mergedInto, absorbedIds: record.absorbedIds,
            openOpportunities: opportunities, openCases: cases,
            recentInteractions: try reader.get(Customer360Projector.interactions, customerId) ?? [],
            balances: balances, lifecycleState: record.lifecycleState, firstPurchaseAt: record.firstPurchaseAt,
            valueGrade: nil, riskGrade: nil, position: reader.position)
    }
}
