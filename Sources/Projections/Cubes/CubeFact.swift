/// One business fact a cube counts (an order, a deal, a case, a payment, a survey answer): its own
/// facts, the dimensions it is filed under, and the deltas it last added to the cells.
///
/// Whenever the fact changes (cancelled, won, reopened, corrected, re-attributed), the projector
/// recomputes `cells()` and applies the difference to what `contribution` says was added, so an
/// earlier contribution is retracted exactly.
protocol CubeFact: Codable, Sendable {
    /// Where facts of this kind are kept.
    static var table: ReadModelTable<Self> { get }
    /// The prefix of references to this kind in a customer's fact list.
    static var tag: String { get }
    /// The customer the fact belongs to (the survivor after a merge).
    var customer: String { get set }
    var dims: CubeDims { get set }
    /// The deltas last applied to the cells.
    var contribution: [CubeDelta] { get set }
    /// The deltas the fact contributes now.
    func cells() -> [CubeDelta]
    /// Takes the customer-level dimensions of `customer` (after a merge), keeping the fact's own.
    mutating func rebase(on customer: CubeDims)
}

extension CubeFact {
    /// Keeps the fact's own campaign credit, takes everything else from the customer.
    mutating func rebaseAll(on customer: CubeDims, campaign: String?) {
        dims = customer
        if let campaign { dims.campaign = campaign }
    }
}
