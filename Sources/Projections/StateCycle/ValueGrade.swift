/// The unified value grade of a customer (the design documents ask for one so service can be
/// differentiated by value): from the RFM sum of its paid orders, `a` best; `none` before the
/// first paid order.
public enum ValueGrade: String, Sendable, Codable, CaseIterable, Comparable {
    case a, b, c, d, none

    /// Higher is better (`none` 0 … `a` 4), for upgrade and downgrade counts.
    public var rank: Int {
        switch self {
        case .a: 4
        case .b: 3
        case .c: 2
        case .d: 1
        case .none: 0
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
