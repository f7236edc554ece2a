/// Why the keys of personal data cannot be used. Each case names what an operator must fix.
public enum KeyRingError: Error, Equatable, CustomStringConvertible {
    /// No master key file where configuration says it is, but the data directory has wrapped keys.
    case missingMasterKey(path: String)
    /// The file exists but does not hold a key.
    case unreadableMasterKey(path: String, reason: String)
    /// `crm keys init` refuses to replace a key: every data key wrapped under it would be lost.
    case masterKeyExists(path: String)
    /// The data keys were wrapped under another master key.
    case wrongMasterKey(path: String, expected: String, actual: String, hint: String?)
    /// The subject was erased: it can hold no new personal data.
    case subjectErased(String)
    /// The subject id cannot name a data subject (empty, too long, control characters).
    case invalidSubject(String)
    /// The keys environment or a key file could not be read or written.
    case storage(String)
    /// The disk holding the keys is full: nothing was written, and the same call succeeds once
    /// space is freed (the HTTP API answers 507, as for the log).
    case insufficientStorage(String)

    /// `error` from the keys environment: a full disk stays recognisable, anything else is `.storage`.
    init(wrapping error: any Error) {
        if case EventStoreError.insufficientStorage(let message) = error { self = .insufficientStorage(message) } else { self = .storage("\(error)") }
    }

    public var description: String {
        switch self {
        case .missingMasterKey(let path):
            "master key file \(path) does not exist, but this data directory holds data keys wrapped under a master key; pass --master-key (or CRM_MASTER_KEY) with the file `crm keys init` created"
        case .unreadableMasterKey(let path, let reason): "master key file \(path) is unusable: \(reason)"
        case .masterKeyExists(let path): "master key file \(path) already exists; refusing to replace it (every data key wrapped under it would become unreadable)"
        case .wrongMasterKey(let path, let expected, let actual, let hint):
            "master key file \(path) holds key \(actual), but the data keys are wrapped under key \(expected)" + (hint.map { "; \($0)" } ?? "")
        case .subjectErased(let subject): "data subject \(subject) was erased; it cannot hold new personal data"
        case .invalidSubject(let subject): "'\(subject)' is not a valid data subject id"
        case .storage(let message): "keys storage failure: \(message)"
        case .insufficientStorage(let message): "keys storage: \(message)"
        }
    }
}
