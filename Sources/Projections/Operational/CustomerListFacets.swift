import Domain
import Foundation

/// The parts of a customer record the list index is built from. The projector compares them
/// before and after each change and rewrites only the index keys that differ, so an invoice
/// event moves the outstanding-sorted entries and leaves the name and registration ones alone.
struct CustomerListFacets: Equatable {
    var listed: Bool
    var customerId: String
    var nameKey: String
    var registeredAt: Int64
    var outstanding: Int64
    var facets: [(String, String)]

    init(_ record: CustomerRecord?, listCurrency: String) {
        guard let record, record.mergedInto == nil else {
            listed = false; customerId = record?.customerId ?? ""; nameKey = ""; registeredAt = 0; outstanding = 0; facets = []
            return
        }
        listed = true
        customerId = record.customerId
        nameKey = record.name.lowercased()
        registeredAt = OperationalTime.milliseconds(record.registeredAt)
        outstanding = record.balances[listCurrency]?.outstanding ?? 0
        var facets: [(String, String)] = [("all", ""), ("state", record.lifecycleState.rawValue)]
        if let c = record.classification { facets.append(("segment", c.segment)); facets.append(("region", c.region)) }
        if let m = record.managerId { facets.append(("manager", m)) }
        for tag in record.tags { facets.append(("tag", tag)) }
        self.facets = facets
    }

    static func == (a: CustomerListFacets, b: CustomerListFacets) -> Bool {
        a.listed == b.listed && a.customerId == b.customerId && a.nameKey == b.nameKey && a.registeredAt == b.registeredAt
            && a.outstanding == b.outstanding && a.facets.elementsEqual(b.facets, by: { $0 == $1 })
    }

    /// The sort value segment for `sort`.
    func sortValue(_ sort: CustomerListSort) -> String {
        switch sort {
        case .name: nameKey
        case .registeredAt: ReadModelKey.sortable(registeredAt)
        case .outstanding: ReadModelKey.sortable(outstanding)
        }
    }

    /// Every index key of the customer: facet, value, sort code, sort value, id.
    func keys(for sorts: [CustomerListSort] = CustomerListSort.allCases) -> Set<String> {
        guard listed else { return [] }
        var keys = Set<String>()
        for sort in sorts {
            let value = sortValue(sort)
            for (facet, facetValue) in facets {
                keys.insert(ReadModelKey.join(facet, facetValue, sort.code, value, customerId))
            }
        }
        return keys
    }

    /// The sorts whose keys differ between `self` and `other` (all of them when the facets differ).
    func changedSorts(from other: CustomerListFacets) -> [CustomerListSort] {
        if listed != other.listed || customerId != other.customerId || !facets.elementsEqual(other.facets, by: { $0 == $1 }) {
            return CustomerListSort.allCases
        }
        var sorts: [CustomerListSort] = []
        if nameKey != other.nameKey { sorts.append(.name) }
        if registeredAt != other.registeredAt { sorts.append(.registeredAt) }
        if outstanding != other.outstanding { sorts.append(.outstanding) }
        return sorts
    }
}
