/// What the cubes know about a customer: the dimension values facts are filed under (as known
/// now), the customer's own contribution to the customer cube, and the facts filed for it (so a
/// merge can re-attribute them to the survivor).
///
/// The customer cube describes customers by their current classification, manager and state: the
/// contribution (new on the registration day, churned and reactivated on their days, merged
/// duplicates on the merge day, and the base by state filed under the registration day) is
/// recomputed on every customer event. An absorbed duplicate contributes nothing.
struct CubeCustomerRecord: Codable, Sendable, Equatable {
    static let table = ReadModelTable<CubeCustomerRecord>("cubeCustomers")

    /// A deactivation (churn) or reactivation.
    struct Change: Codable, Sendable, Equatable {
        var day: Int64
        var active: Bool
    }

    /// The customer-level dimensions; `team` is filled in from the manager when used.
    var dims: CubeDims
    var registeredDay: Int64
    var active = true
    var changes: [Change] = []
    /// Days on which this customer absorbed a duplicate.
    var mergedDays: [Int64] = []
    /// Set once the customer was merged into another.
    var survivor: String?
    /// References (`<tag>\0<key>`) of the facts filed for this customer.
    var facts: [String] = []
    var contribution: [CubeDelta] = []

    /// The customer-cube deltas, with `team` the manager's team as known now.
    func cells(team: String) -> [CubeDelta] {
        guard survivor == nil else { return [] }
        var dims = dims
        dims.team = team
        let state = active ? "active" : "inactive"
        var deltas = CubeDeltas()
        deltas.add(.customer, dims.key(.customer, day: registeredDay, state), ["newCustomers": 1, "customers": 1, "activeCustomers": active ? 1 : 0])
        for change in changes {
            deltas.add(.customer, dims.key(.customer, day: change.day, state), change.active ? ["reactivated": 1] : ["churned": 1])
        }
        for day in mergedDays { deltas.add(.customer, dims.key(.customer, day: day, state), ["duplicatesMerged": 1]) }
        return deltas.deltas
    }
}
