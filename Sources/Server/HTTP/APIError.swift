/// An error the API reports to its client: a stable code, a sentence for people, and the query or
/// path parameter at fault when there is one.
///
/// Handlers throw these for what they detect themselves; errors from the event store and the
/// router are translated in `APIError+Problem.swift`, the one place that maps codes to statuses.
struct APIError: Error, CustomStringConvertible {
    /// The stable, machine-readable kind of problem, sent as `code`.
    enum Code: String, Sendable, CaseIterable {
        case invalidParameter = "invalid-parameter"
        case notFound = "not-found"
        case unknownRoute = "unknown-route"
        /// A known path called with a method it does not take; `Allow` lists those it does (405).
        case methodNotAllowed = "method-not-allowed"
        case badRequest = "bad-request"
        /// No bearer token, or one that is malformed, unknown, revoked or expired (401).
        case unauthenticated = "unauthenticated"
        /// The token's role or scopes lack the route's permission, named in `permission` (403).
        case forbidden = "forbidden"
        case payloadTooLarge = "payload-too-large"
        case conflict = "conflict"
        case invalidAppend = "invalid-append"
        case storageFailure = "storage-failure"
        case corruptEvent = "corrupt-event"
        case unavailable = "unavailable"
        /// Too many requests in flight (429); retry after a moment.
        case tooManyRequests = "too-many-requests"
        /// The disk holding the log is full (507); reads still work.
        case insufficientStorage = "insufficient-storage"
        case internalError = "internal-error"
        /// The request body is not the expected JSON: malformed, wrong types, missing or unknown
        /// members, or values a command refuses as malformed; each is named in `fields` (400).
        case validationFailed = "validation-failed"
        /// A business rule refused the command; the rule's stable name is in `rule` (422).
        case ruleViolated = "rule-violated"
        /// The record a command would create already exists (409).
        case alreadyExists = "already-exists"
        /// A registration resembles existing customers, named in `matches` (409); repeat with
        /// `registerAnyway` to keep both.
        case likelyDuplicate = "likely-duplicate"
        /// The customer was merged; commands go to the survivor named in `survivor` (410).
        case customerMerged = "customer-merged"
        /// The data subject was erased on request: no new personal data, no further commands (410).
        case subjectErased = "subject-erased"
        /// The server runs without a master key (personal data is not encrypted), so nothing can
        /// be erased or pseudonymised (409): start it with a key ring first.
        case encryptionDisabled = "encryption-disabled"
        /// `If-Match` (or an append's expected version) does not match the stream, whose version
        /// is in `currentVersion` (409); nothing was written.
        case versionConflict = "version-conflict"
        /// The record kept changing under the command; retrying is safe (409).
        case concurrencyConflict = "concurrency-conflict"
        /// An `Idempotency-Key` already used with another request (422).
        case idempotencyKeyReused = "idempotency-key-reused"
        /// An integration append names a stream it may not write, such as a domain aggregate's (422).
        case reservedStream = "reserved-stream"
    }

    /// One member of a request body at fault and why, listed in a `validation-failed` problem.
    struct FieldProblem: Codable, Equatable, Sendable {
        /// The member's path in the body, e.g. `classification.segment` or `lines[0].quantity`.
        var field: String
        var reason: String
    }

    var code: Code
    /// What went wrong in this request, for people.
    var detail: String
    /// The query or path parameter at fault, for `invalid-parameter`.
    var parameter: String?
    /// The permission the caller lacks, for `forbidden`.
    var permission: Permission?
    /// The body members at fault, for `validation-failed`.
    var fields: [FieldProblem]?
    /// The business rule broken, for `rule-violated`.
    var rule: String?
    /// The existing customers a registration resembles, for `likely-duplicate`.
    var matches: [String]?
    /// The customer a merged one now lives in, for `customer-merged`.
    var survivor: String?
    /// The stream's version when `If-Match` or an expected version did not match, for `version-conflict`.
    var currentVersion: UInt64?
    /// The record (stream) a row-level refusal or a conflict is about.
    var record: String?

    init(_ code: Code, _ detail: String, parameter: String? = nil, permission: Permission? = nil) {
        self.code = code
        self.detail = detail
        self.parameter = parameter
        self.permission = permission
    }

    /// 400 `validation-failed` naming each offending body member.
    static func validationFailed(_ fields: [FieldProblem]) -> APIError {
        var error = APIError(.validationFailed, "the request body is invalid: "
            + fields.map { "\($0.field): \($0.reason)" }.joined(separator: "; "))
        error.fields = fields
        return error
    }

    /// 403 `forbidden`: the role may call the route, but the record is outside the caller's rows.
    static func outOfScope(_ record: String, user: String) -> APIError {
        var error = APIError(.forbidden, "\(record) is not among the records \(user) may change")
        error.record = record
        return error
    }

    /// 409 `version-conflict`: the stream is at `current`, not at what the caller expected.
    static func versionConflict(stream: String, expected: String, current: UInt64) -> APIError {
        var error = APIError(.versionConflict, "\(stream) is at version \(current), not \(expected); nothing was written")
        error.record = stream
        error.currentVersion = current
        return error
    }

    /// 403: the caller is authenticated but its role (or an integrator's scopes) lacks `permission`.
    static func forbidden(_ permission: Permission, role: Role) -> APIError {
        APIError(.forbidden, "this route needs the permission \(permission.rawValue), which the role \(role.rawValue) does not have",
                 permission: permission)
    }

    static func invalidParameter(_ name: String, _ detail: String) -> APIError {
        APIError(.invalidParameter, detail, parameter: name)
    }

    static func notFound(_ detail: String) -> APIError {
        APIError(.notFound, detail)
    }

    var description: String { "\(code.rawValue): \(detail)" }
}
