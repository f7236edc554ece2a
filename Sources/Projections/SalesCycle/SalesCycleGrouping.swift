/// How sales-cycle reports split their figures: not at all, by owner (customer manager or rep), or
/// by team through a manager → team mapping (the domain has no team events the reports could read
/// yet, so the caller supplies the mapping; owners missing from it fall in `unassigned`).
public enum SalesCycleGrouping: Sendable, Equatable {
    case all
    case owner
    case team([String: String])

    /// The group an owner's figures go to.
    public func group(ofOwner owner: String) -> String {
        switch self {
        case .all: "all"
        case .owner: owner
        case .team(let teamOf): teamOf[owner] ?? "unassigned"
        }
    }
}
