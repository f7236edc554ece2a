/// A survey answer in the service cube: CSAT and NPS sums with the count, and promoters (9–10)
/// and detractors (0–6) for the net promoter score. The channel is the case's, when the survey
/// followed a known case.
struct CubeSurveyFact: CubeFact, Equatable {
    static let table = ReadModelTable<CubeSurveyFact>("cubeSurveys")
    static let tag = "s"

    var customer: String
    var dims: CubeDims
    var day: Int64
    var csat: Int64
    var nps: Int64
    var contribution: [CubeDelta] = []

    func cells() -> [CubeDelta] {
        var deltas = CubeDeltas()
        deltas.add(.service, dims.key(.service, day: day), [
            "surveysAnswered": 1, "csatSum": csat, "npsSum": nps, "promoters": nps >= 9 ? 1 : 0, "detractors": nps <= 6 ? 1 : 0])
        return deltas.deltas
    }

    mutating func rebase(on customer: CubeDims) {
        let channel = dims.channel
        rebaseAll(on: customer, campaign: nil)
        dims.channel = channel
    }
}
