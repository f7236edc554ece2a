/// Why a command was refused. Each case names the rule and the ids involved, so the API can answer
/// with a stable code and the caller can act on it. A refused command writes nothing.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field is missing or malformed.
    case invalid(field: String, reason: String)
    /// The target record does not exist.
    case notFound(kind: String, id: String)
    /// The record already exists (e.g. registering an id twice).
    case alreadyExists(kind: String, id: String)
    /// A business rule forbids the command in the record's current state.
    case ruleViolated(rule: String, detail: String)
    /// The customer was merged into another; commands must go to the survivor.
    case customerMerged(absorbed: String, survivor: String)
    /// Registration matched existing customers; repeat with `registerAnyway` to keep both.
    case likelyDuplicate(matches: [String], on: [String])
    /// The stream changed under the command more often than the retry bound allows.
    case concurrencyConflict(stream: String, attempts: Int)
    /// The data subject was erased: its record keeps its non-personal history but takes no new
    /// personal data and no further commands.
    case subjectErased(String)

    /// A stable, machine-readable code for the API's problem documents.
    public var code: String {
        switch self {
        case .invalid: "invalid-field"
        case .notFound: "not-found"
        case .alreadyExists: "already-exists"
        case .ruleViolated(let rule, _): rule
        case .customerMerged: "customer-merged"
        case .likelyDuplicate: "likely-duplicate"
        case .concurrencyConflict: "concurrency-conflict"
        case .subjectErased: "subject-erased"
        }
    }

    public var description: String {
        switch self {
        case .invalid(let field, let reason): "\(field): \(reason)"
        case .notFound(let kind, let id): "\(kind) \(id) does not exist"
        case .alreadyExists(let kind, let id): "\(kind) \(id) already exists"
        case .ruleViolated(let rule, let detail): "\(rule): \(detail)"
        case .customerMerged(let absorbed, let survivor): "customer \(absorbed) was merged into \(survivor); send commands to \(survivor)"
        case .likelyDuplicate(let matches, let fields): "likely duplicate of \(matches.joined(separator: ", ")) (matching \(fields.joined(separator: ", "))); register anyway to keep both"
        case .concurrencyConflict(let stream, let attempts): "\(stream) kept changing; gave up after \(attempts) attempts"
        case .subjectErased(let subject): "\(subject) was erased on request; it takes no new personal data"
        }
    }
}
