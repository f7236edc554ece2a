import Domain
import Foundation

/// The stored core of one customer's 360 view: profile, classification, ownership, consent,
/// merge links, the ids of its open opportunities and cases, balances and purchase evidence.
/// Recent interactions live in a table of their own, because they change most often and are the
/// largest part.
public struct CustomerRecord: Sendable, Codable, Equatable {
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
    /// Sorted.
    public var tags: [String] = []
    /// By contact id.
    public var contacts: [String: CustomerContact] = [:]
    /// Purposes consented to, sorted.
    public var consents: [String] = []
    /// False while deactivated.
    public var isActive = true
    /// The survivor, once this customer was absorbed by a merge.
    public var mergedInto: String?
    /// Customers this one absorbed, in merge order.
    public var absorbedIds: [String] = []
    /// Open opportunities shown on this customer's 360 (its own and those of absorbed customers), sorted.
    public var openOpportunityIds: [String] = []
    /// Open cases shown on this customer's 360 (its own and those of absorbed customers), sorted.
    public var openCaseIds: [String] = []
    /// Balances by currency.
    public var balances: [String: CustomerBalance] = [:]
    /// Currently won opportunities + placed, uncancelled orders + settled invoices.
    public var purchaseEvidence = 0
    /// The earliest business time of any purchase evidence (kept when the evidence is later retracted).
    public var firstPurchaseAt: Date?

    /// The life-cycle state derived from the record.
    public var lifecycleState: CustomerLifecycleState {
        if mergedInto != nil { return .merged }
        if !isActive { return .inactive }
        return purchaseEvidence > 0 ? .active : .prospect
    }

    /// Inserts into a sorted array of ids.
    static func insert(_ id: String, into ids: inout [String]) {
        var low = 0, high = ids.count
        while low < high {
            let mid = (low + high) / 2
            if ids[mid] < id { low = mid + 1 } else { high = mid }
        }
        if low < ids.count, ids[low] == id { return }
        ids.insert(id, at: low)
    }

    /// Removes from a sorted array of ids.
    static func remove(_ id: String, from ids: inout [String]) {
        if let index = ids.firstIndex(of: id) { ids.remove(at: index) }
    }
}
