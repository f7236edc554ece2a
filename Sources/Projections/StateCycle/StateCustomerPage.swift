/// A page of the customers carrying a label at a time, in id order; `total` counts every match,
/// `next` is the cursor (last id of the page) when more follow.
public struct StateCustomerPage: Sendable, Codable, Equatable {
    public var customerIds: [String]
    public var total: Int
    public var next: String?

    public init(customerIds: [String], total: Int, next: String?) {
        self.customerIds = customerIds
        self.total = total
        self.next = next
    }
}
