/// How worried the company should be about a customer: arrears, complaints and falling activity
/// summed as risk points (`StateCycleRules`).
public enum RiskGrade: String, Sendable, Codable, CaseIterable, Comparable {
    case low, medium, high

    /// Numeric order (low < medium < high), for "risk rose / fell" counts.
    public var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
