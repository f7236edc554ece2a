/// One page of a paginated query answer: the rows, the cursor of the following page (`next`,
/// nil on the last page; pass it back as `cursor`) and the log position the page reflects.
struct QueryPage<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var next: String?
    var position: UInt64
    /// Every matching row when the read model counts them (state analytics); nil otherwise.
    var total: Int?
}
