/// The orders the customer list can be read in; each is a key segment of the list index, so a
/// page in any of them is a range scan.
public enum CustomerListSort: String, Sendable, Codable, CaseIterable {
    /// By lower-cased name, then id.
    case name
    /// By registration (business) time, then id.
    case registeredAt
    /// By outstanding balance in the projector's list currency, then id.
    case outstanding

    /// The key segment of the index.
    var code: String {
        switch self {
        case .name: "n"
        case .registeredAt: "r"
        case .outstanding: "o"
        }
    }
}
