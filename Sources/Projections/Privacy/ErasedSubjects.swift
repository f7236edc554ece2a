import Domain

/// The data subjects a `SubjectErased` names, sorted by kind, so that each projector that keeps
/// personal values can find the ones to replace with the marker.
///
/// The rule every such projector follows: after the event, each personal value of an erased
/// subject reads `erased` (absent optional values stay absent), and every other fact is left as
/// it was. The registry already decodes the subject's earlier events that way, so a read model
/// folded live (which saw the values) and one rebuilt after the erasure (which never did) end up
/// equal, which the rebuild's checksum comparison proves.
public struct ErasedSubjects: Sendable, Equatable {
    /// What a personal value reads as once erased (`PersonalDataProtection.erasedMarker`).
    public static let marker = PersonalDataProtection.erasedMarker

    /// Customer ids (`customer:<id>`).
    public var customers: Set<String> = []
    /// Contact ids (`contact:<id>`).
    public var contacts: Set<String> = []
    /// Opportunity ids (`opportunity:<id>`).
    public var opportunities: Set<String> = []
    /// Lead ids (`lead:<id>`).
    public var leads: Set<String> = []

    public init(_ event: SubjectErased) {
        for subject in [event.subject] + event.erasedSubjects {
            let parts = subject.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { continue }
            switch parts[0] {
            case "customer": customers.insert(parts[1])
            case "contact": contacts.insert(parts[1])
            case "opportunity": opportunities.insert(parts[1])
            case "lead": leads.insert(parts[1])
            default: break
            }
        }
    }

    /// The marker in place of a present value; an absent one stays absent (the log does not say
    /// more: a member that was absent was never sealed).
    public static func erase(_ value: String?) -> String? { value.map { _ in marker } }
}
