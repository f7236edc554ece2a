/// A payment received, in the revenue cube on the day it arrived (no product: payments settle
/// invoices, not lines).
struct CubePaymentFact: CubeFact, Equatable {
    static let table = ReadModelTable<CubePaymentFact>("cubePayments")
    static let tag = "y"

    var customer: String
    var dims: CubeDims
    var day: Int64
    var amount: Int64
    var currency: String
    var contribution: [CubeDelta] = []

    func cells() -> [CubeDelta] {
        var deltas = CubeDeltas()
        deltas.add(.revenue, dims.key(.revenue, day: day), ["paymentsReceived": 1, "paymentsReceivedAmount.\(currency)": amount])
        return deltas.deltas
    }

    mutating func rebase(on customer: CubeDims) { rebaseAll(on: customer, campaign: nil) }
}
