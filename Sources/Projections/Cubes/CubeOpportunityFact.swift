import Domain

/// An opportunity in the pipeline cube: created on its opening day (with its current, corrected
/// amount), open under its current stage while open, won or lost on its outcome day with the
/// cycle in days. A reopened deal loses its outcome; a stage move or amount change moves its open
/// contribution. Filed under its owner (manager) and the owner's team.
struct CubeOpportunityFact: CubeFact, Equatable {
    static let table = ReadModelTable<CubeOpportunityFact>("cubeOpportunities")
    static let tag = "p"

    /// How a closed deal ended.
    struct Outcome: Codable, Sendable, Equatable {
        var won: Bool
        var day: Int64
        var amount: Int64
        var currency: String
        var stage: String
        var cycleDays: Int64
    }

    var customer: String
    var dims: CubeDims
    var openedAt: Int64
    var openedDay: Int64
    var openingStage: String
    var stage: String
    var amount: Int64
    var currency: String
    var outcome: Outcome?
    /// The campaign a conversion credited this deal to, overriding the customer's.
    var campaign: String?
    var contribution: [CubeDelta] = []

    func cells() -> [CubeDelta] {
        var deltas = CubeDeltas()
        deltas.add(.pipeline, dims.key(.pipeline, day: openedDay, openingStage), ["opportunitiesCreated": 1, "createdAmount.\(currency)": amount])
        if let outcome {
            let kind = outcome.won ? "won" : "lost"
            deltas.add(.pipeline, dims.key(.pipeline, day: outcome.day, outcome.stage), [
                kind: 1, "\(kind)Amount.\(outcome.currency)": outcome.amount, "\(kind)CycleDays": outcome.cycleDays])
        } else {
            deltas.add(.pipeline, dims.key(.pipeline, day: openedDay, stage), ["openOpportunities": 1, "openAmount.\(currency)": amount])
        }
        return deltas.deltas
    }

    mutating func rebase(on customer: CubeDims) {
        let (manager, team) = (dims.manager, dims.team)
        rebaseAll(on: customer, campaign: campaign)
        dims.manager = manager
        dims.team = team
    }
}
