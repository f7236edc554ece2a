/// An axis a cube answer can be grouped, filtered or pivoted by: the time grains (all derived
/// from a cell's business day) and the business dimensions stored in the cells.
///
/// Values are plain strings: ids for managers, teams and campaigns, the classification's words for
/// region and segment, the domain's enum names for channels, stages and states; an empty string
/// means "not known at the event" (a customer not yet classified, no campaign, no product).
public enum CubeDimension: String, Sendable, Codable, CaseIterable, Comparable {
    /// Time grains, finest first: `2024-03-05`, `2024-W10` (ISO week), `2024-03`, `2024-Q1`, `2024`.
    case day, week, month, quarter, year
    /// The customer manager: the customer's manager as known at the event (the owner, for opportunities).
    case manager
    /// The manager's team as known at the event (`TeamMemberAssigned`).
    case team
    /// The customer's classification as known at the event.
    case region, segment
    /// How the customer was acquired (`AcquisitionChannel`); for the service cube, the channel the
    /// case came in on (`InteractionChannel`).
    case channel
    /// The campaign the customer came from, or that a conversion credited the order or deal to.
    case campaign
    /// The product of an order line (revenue cube).
    case product
    /// The opportunity's stage (pipeline cube).
    case stage
    /// The customer's current state, `active` or `inactive` (customer cube).
    case state

    /// Whether this is a time grain rather than a stored dimension.
    public var isTime: Bool { CubeCalendar.grains.contains(self) }

    /// Declaration order: time grains first, coarsest last, then the business dimensions.
    public static func < (lhs: CubeDimension, rhs: CubeDimension) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
