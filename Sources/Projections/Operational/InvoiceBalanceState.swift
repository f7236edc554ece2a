import Domain

/// What the 360 projector remembers of one invoice to turn each invoice event into exact changes
/// of its customer's balance: what is still owed, and whether it counts as overdue.
struct InvoiceBalanceState: Sendable, Codable, Equatable {
    var customerId: String
    var currency: String
    var outstanding: Int64
    var overdue: Bool
    var settled: Bool

    /// The invoice's share of its customer's outstanding and overdue amounts.
    var contribution: (outstanding: Int64, overdue: Int64) { (outstanding, overdue ? outstanding : 0) }
}

/// What the 360 projector remembers of one order: whose it is and whether it still counts as a
/// purchase.
struct OrderPurchaseState: Sendable, Codable, Equatable {
    var customerId: String
    var cancelled: Bool
}
