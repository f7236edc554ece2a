/// Where a customer stands in its life cycle; derived by `StateCycleRules`, never entered by hand.
public enum LifecycleState: String, Sendable, Codable, CaseIterable, Comparable {
    /// Registered, not yet a paying customer.
    case prospect
    /// Paying, recently enough, without alarming signals.
    case active
    /// Paying, but the risk grade is high or activity is falling.
    case atRisk
    /// Was paying and left (deactivated, or no paid order for too long).
    case churned
    /// Came back from `churned`; kept for a while so win-back campaigns can be judged.
    case wonBack
    /// Never paid and left (deactivated) or went quiet.
    case inactive
    /// Absorbed into another customer by a merge; the survivor's history continues (terminal).
    case merged

    /// Declaration order, so reports list states the same way every time.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
