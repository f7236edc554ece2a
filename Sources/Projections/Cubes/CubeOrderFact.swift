/// An order in the revenue cube: its lines by product on the day it was placed, and again as
/// cancelled on the day it was called off. The order counts once, under its first line's product;
/// amounts and units are per line.
struct CubeOrderFact: CubeFact, Equatable {
    static let table = ReadModelTable<CubeOrderFact>("cubeOrders")
    static let tag = "o"

    /// One priced line.
    struct Line: Codable, Sendable, Equatable {
        var product: String
        var quantity: Int64
        var total: Int64
    }

    var customer: String
    var dims: CubeDims
    var day: Int64
    var currency: String
    var lines: [Line]
    var cancelledDay: Int64?
    /// The campaign a conversion credited this order to, overriding the customer's.
    var campaign: String?
    var contribution: [CubeDelta] = []

    func cells() -> [CubeDelta] {
        var deltas = CubeDeltas()
        for (index, line) in lines.enumerated() {
            deltas.add(.revenue, dims.key(.revenue, day: day, line.product), [
                "ordersPlaced": index == 0 ? 1 : 0, "orderLines": 1, "unitsOrdered": line.quantity,
                "ordersPlacedAmount.\(currency)": line.total])
            if let cancelledDay {
                deltas.add(.revenue, dims.key(.revenue, day: cancelledDay, line.product), [
                    "ordersCancelled": index == 0 ? 1 : 0, "unitsCancelled": line.quantity,
                    "ordersCancelledAmount.\(currency)": line.total])
            }
        }
        return deltas.deltas
    }

    mutating func rebase(on customer: CubeDims) { rebaseAll(on: customer, campaign: campaign) }
}
