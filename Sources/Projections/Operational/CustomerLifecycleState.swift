/// The simple life-cycle state the operational views compute themselves (the state-cycle
/// projector grades customers on richer axes): a customer is a `prospect` until there is
/// evidence of a purchase (a currently won opportunity, a placed order that was not cancelled, or
/// a settled invoice), `active` while there is, `inactive` while deactivated, and `merged` once
/// absorbed into another customer.
public enum CustomerLifecycleState: String, Sendable, Codable, CaseIterable {
    case prospect, active, inactive, merged
}
