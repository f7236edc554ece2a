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

extension CustomerRecord: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        var optionals = (address == nil ? 0 : 1) + (classification == nil ? 0 : 1) + (email == nil ? 0 : 1)
        optionals += (firstPurchaseAt == nil ? 0 : 1) + (managerId == nil ? 0 : 1) + (mergedInto == nil ? 0 : 1)
        optionals += (organisation == nil ? 0 : 1) + (phone == nil ? 0 : 1) + (sourceCampaignId == nil ? 0 : 1)
        output.appendObjectHeader(count: 14 + optionals)
        output.appendEntryKey("absorbedIds"); output.appendStrings(absorbedIds)
        if let address { output.appendEntryKey("address"); output.appendString(address) }
        output.appendEntryKey("balances"); output.appendObject(balances) { $1.writeBinary(into: &$0) }
        output.appendEntryKey("channel"); output.appendString(channel.rawValue)
        if let classification { output.appendEntryKey("classification"); classification.writeBinary(into: &output) }
        output.appendEntryKey("consents"); output.appendStrings(consents)
        output.appendEntryKey("contacts"); output.appendObject(contacts) { $1.writeBinary(into: &$0) }
        output.appendEntryKey("customerId"); output.appendString(customerId)
        if let email { output.appendEntryKey("email"); output.appendString(email) }
        if let firstPurchaseAt { output.appendEntryKey("firstPurchaseAt"); output.appendDate(firstPurchaseAt) }
        output.appendEntryKey("isActive"); output.appendBool(isActive)
        output.appendEntryKey("kind"); output.appendString(kind.rawValue)
        if let managerId { output.appendEntryKey("managerId"); output.appendString(managerId) }
        if let mergedInto { output.appendEntryKey("mergedInto"); output.appendString(mergedInto) }
        output.appendEntryKey("name"); output.appendString(name)
        output.appendEntryKey("openCaseIds"); output.appendStrings(openCaseIds)
        output.appendEntryKey("openOpportunityIds"); output.appendStrings(openOpportunityIds)
        if let organisation { output.appendEntryKey("organisation"); output.appendString(organisation) }
        if let phone { output.appendEntryKey("phone"); output.appendString(phone) }
        output.appendEntryKey("purchaseEvidence"); output.appendSigned(Int64(purchaseEvidence))
        output.appendEntryKey("registeredAt"); output.appendDate(registeredAt)
        if let sourceCampaignId { output.appendEntryKey("sourceCampaignId"); output.appendString(sourceCampaignId) }
        output.appendEntryKey("tags"); output.appendStrings(tags)
    }
}

extension Classification: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: 5)
        output.appendEntryKey("industry"); output.appendString(industry)
        output.appendEntryKey("region"); output.appendString(region)
        output.appendEntryKey("segment"); output.appendString(segment)
        output.appendEntryKey("size"); output.appendString(size)
        output.appendEntryKey("tier"); output.appendString(tier)
    }
}
