/// The business dimensions of one fact as known when it was recorded (or last re-attributed):
/// who manages it, the manager's team, and the customer's region, segment, channel and campaign.
struct CubeDims: Codable, Sendable, Equatable {
    var manager = ""
    var team = ""
    var region = ""
    var segment = ""
    var channel = ""
    var campaign = ""

    /// The cell key of `cube` on `day` with these dimensions and the cube's last dimension
    /// (product, stage or state; ignored by the service cube): the day first, so a time range is
    /// one key range.
    func key(_ cube: CubeKind, day: Int64, _ last: String = "") -> String {
        switch cube {
        case .service: ReadModelKey.join(ReadModelKey.sortable(day), manager, team, region, segment, channel)
        case .revenue, .pipeline, .customer:
            ReadModelKey.join(ReadModelKey.sortable(day), manager, team, region, segment, channel, campaign, last)
        }
    }
}
