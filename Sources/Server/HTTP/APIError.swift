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
    }

    var code: Code
    /// What went wrong in this request, for people.
    var detail: String
    /// The query or path parameter at fault, for `invalid-parameter`.
    var parameter: String?
    /// The permission the caller lacks, for `forbidden`.
    var permission: Permission?

    init(_ code: Code, _ detail: String, parameter: String? = nil, permission: Permission? = nil) {
        self.code = code
        self.detail = detail
        self.parameter = parameter
        self.permission = permission
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
