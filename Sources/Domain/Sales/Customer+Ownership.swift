import Foundation

extension Customer {
    /// Whether a record naming `customerId` belongs to this customer: it is this customer or one it
    /// absorbed in a merge.
    func owns(_ customerId: String) -> Bool {
        id == customerId || absorbed.contains(customerId)
    }
}
