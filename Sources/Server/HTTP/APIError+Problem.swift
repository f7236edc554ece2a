import Domain
import EventStore
import Hummingbird
import HTTPTypes

/// The one place where errors become HTTP statuses and problem details (RFC 9457).
extension APIError.Code {
    var status: HTTPResponse.Status {
        switch self {
        case .invalidParameter, .badRequest, .validationFailed: .badRequest
        case .ruleViolated, .idempotencyKeyReused, .reservedStream: .unprocessableContent
        case .alreadyExists, .likelyDuplicate, .versionConflict, .concurrencyConflict, .encryptionDisabled: .conflict
        case .customerMerged, .subjectErased: .gone
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound, .unknownRoute: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .payloadTooLarge: .contentTooLarge
        case .conflict: .conflict
        case .invalidAppend: .unprocessableContent
        case .storageFailure, .corruptEvent, .internalError: .internalServerError
        case .unavailable: .serviceUnavailable
        case .tooManyRequests: .tooManyRequests
        case .insufficientStorage: .init(code: 507, reasonPhrase: "Insufficient Storage")
        }
    }

    var title: String {
        switch self {
        case .invalidParameter: "Invalid parameter"
        case .notFound: "Not found"
        case .unknownRoute: "Unknown route"
        case .methodNotAllowed: "Method not allowed"
        case .badRequest: "Bad request"
        case .unauthenticated: "Authentication required"
        case .forbidden: "Forbidden"
        case .payloadTooLarge: "Payload too large"
        case .conflict: "Conflict"
        case .invalidAppend: "Invalid append"
        case .storageFailure: "Storage failure"
        case .corruptEvent: "Corrupt event"
        case .unavailable: "Service unavailable"
        case .tooManyRequests: "Too many requests"
        case .insufficientStorage: "Insufficient storage"
        case .internalError: "Internal error"
        case .validationFailed: "Validation failed"
        case .ruleViolated: "Business rule violated"
        case .alreadyExists: "Already exists"
        case .likelyDuplicate: "Likely duplicate"
        case .customerMerged: "Customer merged"
        case .subjectErased: "Subject erased"
        case .encryptionDisabled: "Encryption disabled"
        case .versionConflict: "Version conflict"
        case .concurrencyConflict: "Concurrency conflict"
        case .idempotencyKeyReused: "Idempotency key reused"
        case .reservedStream: "Reserved stream"
        }
    }
}

extension APIError {
    /// Translates any error a handler or the router throws.
    ///
    /// Storage details (paths, LMDB codes) stay in the server log; the client gets the code and a
    /// sentence it can act on.
    init(translating error: any Error, method: HTTPRequest.Method, path: String) {
        switch error {
        case let error as APIError:
            self = error
        case let error as DomainError:
            self.init(domain: error)
        case let error as KeyRingError:
            switch error {
            case .subjectErased(let subject):
                self.init(.subjectErased, "\(subject) was erased on request; it takes no new personal data")
                record = subject
            case .invalidSubject:
                self.init(.validationFailed, error.description)
            case .insufficientStorage:
                self.init(.insufficientStorage, """
                    the disk holding the keys of personal data is full: nothing of this request was written; \
                    reads still work; retry once space is freed
                    """)
            default:
                self.init(.storageFailure, "the keys of personal data could not be used; see the server log")
            }
        case let error as EventStoreError:
            switch error {
            case .wrongExpectedVersion, .eventIdConflict: self.init(.conflict, error.description)
            case .subjectErased(let subject):
                self.init(.subjectErased, error.description)
                record = subject
            case .invalidAppend: self.init(.invalidAppend, error.description)
            case .closed: self.init(.unavailable, "the event store is closed; the server is shutting down")
            case .corrupt(let position, _):
                self.init(.corruptEvent, "the stored event at position \(position) cannot be decoded; run `crm verify`")
            case .insufficientStorage:
                self.init(.insufficientStorage, """
                    the disk holding the event store is full: nothing of this request was written; \
                    reads still work; retry once space is freed
                    """)
            case .missingDirectory, .notAnEventStore, .locked, .storage:
                self.init(.storageFailure, "the event store could not complete the request; see the server log")
            }
        case let error as HTTPError:
            switch error.status {
            case .notFound: self.init(.unknownRoute, "no route for \(method) \(path)")
            case .contentTooLarge: self.init(.payloadTooLarge, error.body ?? "the request body is too large")
            case let status where status.kind == .clientError:
                self.init(.badRequest, error.body ?? status.reasonPhrase)
            default:
                self.init(.internalError, "the server failed to answer; see the server log")
            }
        default:
            self.init(.internalError, "the server failed to answer; see the server log")
        }
    }

    /// A command's refusal: the domain's rule becomes a stable code and the ids it names become
    /// members (`fields`, `rule`, `matches`, `survivor`, `record`).
    ///
    /// | domain error | status | code |
    /// |---|---|---|
    /// | `invalid` | 400 | `validation-failed` with `fields` |
    /// | `notFound` | 404 | `not-found` with `record` |
    /// | `alreadyExists` | 409 | `already-exists` with `record` |
    /// | `ruleViolated` | 422 | `rule-violated` with `rule` |
    /// | `likelyDuplicate` | 409 | `likely-duplicate` with `matches` and the matching `fields` |
    /// | `customerMerged` | 410 | `customer-merged` with `survivor` |
    /// | `concurrencyConflict` | 409 | `concurrency-conflict` with `record` |
    /// | `subjectErased` | 410 | `subject-erased` with `record` |
    init(domain error: DomainError) {
        switch error {
        case .invalid(let field, let reason):
            self = .validationFailed([FieldProblem(field: field, reason: reason)])
        case .notFound(let kind, let id):
            self.init(.notFound, error.description)
            record = "\(kind) \(id)"
        case .alreadyExists(let kind, let id):
            self.init(.alreadyExists, error.description)
            record = "\(kind) \(id)"
        case .ruleViolated(let rule, _):
            self.init(.ruleViolated, error.description)
            self.rule = rule
        case .likelyDuplicate(let matches, let on):
            self.init(.likelyDuplicate, error.description)
            self.matches = matches
            fields = on.map { FieldProblem(field: $0, reason: "matches an existing customer") }
        case .customerMerged(let absorbed, let survivor):
            self.init(.customerMerged, error.description)
            self.survivor = survivor
            record = "customer \(absorbed)"
        case .concurrencyConflict(let stream, _):
            self.init(.concurrencyConflict, error.description)
            record = stream
        case .subjectErased(let subject):
            self.init(.subjectErased, error.description)
            record = subject
        }
    }

    /// The problem document sent as `application/problem+json`.
    func problem(instance: String) -> Problem {
        Problem(code: code.rawValue, title: code.title, status: Int(code.status.code), detail: detail,
                instance: instance, parameter: parameter, permission: permission?.rawValue, fields: fields, rule: rule,
                matches: matches, survivor: survivor, currentVersion: currentVersion, record: record)
    }
}

/// An RFC 9457 problem document with the API's `code` extension member.
struct Problem: Codable, Equatable {
    var code: String
    var title: String
    var status: Int
    var detail: String
    /// The request path the problem occurred on.
    var instance: String
    /// The parameter at fault, for `invalid-parameter`.
    var parameter: String?
    /// The permission the caller lacks, for `forbidden`.
    var permission: String?
    /// The body members at fault, for `validation-failed`.
    var fields: [APIError.FieldProblem]? = nil
    /// The business rule broken, for `rule-violated`.
    var rule: String? = nil
    /// The customers a registration resembles, for `likely-duplicate`.
    var matches: [String]? = nil
    /// Where a merged customer lives now, for `customer-merged`.
    var survivor: String? = nil
    /// The stream's actual version, for `version-conflict`.
    var currentVersion: UInt64? = nil
    /// The record (stream) the problem is about.
    var record: String? = nil
}
