/// Standing outcomes of one group in a period: opportunities won and lost (closed in the period and
/// not reopened since), the win rate, and the amounts won per currency (minor units).
public struct WinRateReport: Sendable, Codable, Equatable {
    public var group: String
    public var won: Int
    public var lost: Int
    /// won / (won + lost); 0 when nothing closed.
    public var rate: Double
    public var wonMinorUnits: [String: Int64]
}
