/// The answer for a customer in scope without any opportunity: the shape of `CustomerSalesCycles`
/// with no cycles, so clients need not special-case it.
struct NoSalesCycles: Encodable {
    var customerId: String
    var absorbed: [String]
    var cycles: [String]
}
