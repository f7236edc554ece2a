import Domain
import Foundation

/// One page of the customer list: filtered, sorted, cursor-paginated over the list index.
public struct CustomerList: Sendable, Codable, Equatable {
    /// One row of the list.
    public struct Item: Sendable, Codable, Equatable {
        public var customerId: String
        public var name: String
        public var kind: CustomerKind
        public var segment: String?
        public var region: String?
        public var managerId: String?
        public var state: CustomerLifecycleState
        public var registeredAt: Date
        public var tags: [String]
        /// Outstanding per currency, minor units.
        public var outstanding: CurrencyTotals
    }

    public var items: [Item]
    /// Pass back as `after` for the next page; nil on the last page.
    public var nextCursor: String?
    /// The log position the page reflects.
    public var position: UInt64

    /// A page of at most `limit` customers passing `filter`, in `sort` order (descending when
    /// asked), after the cursor of a previous page. Merged (absorbed) customers are never listed.
    ///
    /// Cost: a range scan of one index facet (the scanned facet of `filter`), reading one record
    /// per candidate; with a single filter every candidate is a hit.
    public static func query(_ reader: ReadModelReader, filter: CustomerListFilter = CustomerListFilter(),
                             sort: CustomerListSort = .name, descending: Bool = false,
                             after cursor: String? = nil, limit: Int = 50) throws -> CustomerList {
        let (facet, value) = filter.scannedFacet
        let prefix = ReadModelKey.prefix(facet, value, sort.code)
        let limit = max(1, limit)
        var items: [Item] = []
        var lastKey: String?
        var more = false
        let start = try cursor.map { try decodeCursor($0, prefix: prefix) }
        let visit: (String, Int) throws -> Bool = { key, _ in
            if items.count == limit { more = true; return false }
            let id = ReadModelKey.split(key).last ?? ""
            lastKey = key
            guard let record = try reader.get(Customer360Projector.customers, id), filter.accepts(record) else { return true }
            items.append(Item(customerId: id, name: record.name, kind: record.kind, segment: record.classification?.segment,
                              region: record.classification?.region, managerId: record.managerId, state: record.lifecycleState,
                              registeredAt: record.registeredAt, tags: record.tags,
                              outstanding: record.balances.reduce(into: CurrencyTotals()) { $0.add($1.value.outstanding, $1.key) }))
            return true
        }
        if descending {
            try reader.scanBackward(Customer360Projector.listIndex, prefix: prefix, before: start, visit)
        } else {
            try reader.scan(Customer360Projector.listIndex, prefix: prefix, after: start, visit)
        }
        return CustomerList(items: items, nextCursor: more ? lastKey.map(encodeCursor) : nil, position: reader.position)
    }

    static func encodeCursor(_ key: String) -> String { Data(key.utf8).base64EncodedString() }

    static func decodeCursor(_ cursor: String, prefix: String) throws -> String {
        guard let data = Data(base64Encoded: cursor), let key = String(data: data, encoding: .utf8), key.hasPrefix(prefix) else {
            throw OperationalQueryError.badCursor(cursor)
        }
        return key
    }
}
