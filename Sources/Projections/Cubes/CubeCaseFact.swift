/// A service case in the service cube: opened (and whether a complaint), first response, the
/// current resolution and closure, each on its own day with minutes and SLA breaches. A reopened
/// case loses its resolution and closure until it is resolved again. The channel is the case's.
struct CubeCaseFact: CubeFact, Equatable {
    static let table = ReadModelTable<CubeCaseFact>("cubeCases")
    static let tag = "c"

    /// A timed step against an SLA.
    struct Step: Codable, Sendable, Equatable {
        var day: Int64
        var minutes: Int64
        var breached: Bool
    }

    var customer: String
    var dims: CubeDims
    var openedDay: Int64
    var complaint: Bool
    var response: Step?
    var resolution: Step?
    var closedDay: Int64?
    var contribution: [CubeDelta] = []

    func cells() -> [CubeDelta] {
        var deltas = CubeDeltas()
        deltas.add(.service, dims.key(.service, day: openedDay), ["casesOpened": 1, "complaints": complaint ? 1 : 0])
        if let response {
            deltas.add(.service, dims.key(.service, day: response.day), [
                "firstResponses": 1, "firstResponseMinutes": response.minutes,
                "firstResponseBreaches": response.breached ? 1 : 0, "slaBreaches": response.breached ? 1 : 0])
        }
        if let resolution {
            deltas.add(.service, dims.key(.service, day: resolution.day), [
                "casesResolved": 1, "resolutionMinutes": resolution.minutes,
                "resolutionBreaches": resolution.breached ? 1 : 0, "slaBreaches": resolution.breached ? 1 : 0])
        }
        if let closedDay { deltas.add(.service, dims.key(.service, day: closedDay), ["casesClosed": 1]) }
        return deltas.deltas
    }

    mutating func rebase(on customer: CubeDims) {
        let channel = dims.channel
        rebaseAll(on: customer, campaign: nil)
        dims.channel = channel
    }
}
