/// Selects customers by one label of the state cycle.
public enum StateCycleFilter: Sendable, Equatable, Hashable {
    case state(LifecycleState)
    case risk(RiskGrade)
    case value(ValueGrade)

    /// The `byLabel` key prefix of this label.
    var prefix: String {
        switch self {
        case .state(let state): ReadModelKey.prefix("state", state.rawValue)
        case .risk(let risk): ReadModelKey.prefix("risk", risk.rawValue)
        case .value(let value): ReadModelKey.prefix("value", value.rawValue)
        }
    }

    /// Whether `labels` carry this label.
    public func matches(_ labels: StateLabels) -> Bool {
        switch self {
        case .state(let state): labels.state == state
        case .risk(let risk): labels.risk == risk
        case .value(let value): labels.value == value
        }
    }
}
