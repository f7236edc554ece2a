/// A customer's opportunities in opening order, including those of customers it absorbed by a
/// merge (the cycles of the same real customer); an absorbed customer keeps its own list and names
/// the survivor.
public struct CustomerCycleList: Sendable, Codable, Equatable {
    /// One opportunity of the list.
    public struct Entry: Sendable, Codable, Equatable {
        public var opportunityId: String
        public var openedAt: Int64
        /// The customer the opportunity was opened for (an absorbed one after a merge).
        public var customerId: String
    }

    public var customerId: String
    public var entries: [Entry]
    public var mergedInto: String?
    public var absorbed: [String]

    public init(customerId: String) {
        self.customerId = customerId
        entries = []
        absorbed = []
    }

    /// Adds entries keeping opening order (then id order) and no duplicates.
    mutating func insert(_ new: [Entry]) {
        for entry in new where !entries.contains(where: { $0.opportunityId == entry.opportunityId }) {
            let index = entries.firstIndex { ($0.openedAt, $0.opportunityId) > (entry.openedAt, entry.opportunityId) } ?? entries.endIndex
            entries.insert(entry, at: index)
        }
    }
}
