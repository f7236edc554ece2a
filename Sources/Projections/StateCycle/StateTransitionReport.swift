/// What changed in the customer base during a period `[from, to)`: the matrix of lifecycle
/// transitions, value-grade upgrades and downgrades, risk rises and falls, and the headline counts
/// of new and lost customers. Computed from the read model's transitions, so a period reaching
/// beyond `reflectsUntil` (the business time processed) is incomplete.
public struct StateTransitionReport: Sendable, Codable, Equatable {
    /// One cell of a transition matrix.
    public struct Cell: Sendable, Codable, Equatable, Hashable {
        public var from: String
        public var to: String
        public var count: Int

        public init(from: String, to: String, count: Int) {
            self.from = from
            self.to = to
            self.count = count
        }
    }

    public var from: Int64
    public var to: Int64
    /// Lifecycle state changes (from ≠ to), sorted by from then to.
    public var states: [Cell]
    /// Value grade changes (from ≠ to), sorted.
    public var values: [Cell]
    /// Value grade went up (e.g. c → b, none → d) / down.
    public var valueUpgrades: Int
    public var valueDowngrades: Int
    /// Risk grade rose / fell.
    public var riskRises: Int
    public var riskFalls: Int
    /// First intervals (customers first seen) in the period.
    public var registered: Int
    /// Became paying: prospect or inactive → active or at risk.
    public var newCustomers: Int
    /// Became churned.
    public var lost: Int
    /// Churned → won back.
    public var wonBack: Int
    /// Absorbed by merges.
    public var merged: Int
    /// Business time (ms) the read model has processed.
    public var reflectsUntil: Int64

    public init(from: Int64, to: Int64, states: [Cell], values: [Cell], valueUpgrades: Int, valueDowngrades: Int, riskRises: Int,
                riskFalls: Int, registered: Int, newCustomers: Int, lost: Int, wonBack: Int, merged: Int, reflectsUntil: Int64) {
        self.from = from
        self.to = to
        self.states = states
        self.values = values
        self.valueUpgrades = valueUpgrades
        self.valueDowngrades = valueDowngrades
        self.riskRises = riskRises
        self.riskFalls = riskFalls
        self.registered = registered
        self.newCustomers = newCustomers
        self.lost = lost
        self.wonBack = wonBack
        self.merged = merged
        self.reflectsUntil = reflectsUntil
    }
}
