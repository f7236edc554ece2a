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
        case payloadTooLarge = "payload-too-large"
        case conflict = "conflict"
        case invalidAppend = "invalid-append"
        case storageFailure = "storage-failure"
        case corruptEvent = "corrupt-event"
        case unavailable = "unavailable"
        case internalError = "internal-error"
    }

    var code: Code
    /// What went wrong in this request, for people.
    var detail: String
    /// The query or path parameter at fault, for `invalid-parameter`.
    var parameter: String?

    init(_ code: Code, _ detail: String, parameter: String? = nil) {
        self.code = code
        self.detail = detail
        self.parameter = parameter
    }

    static func invalidParameter(_ name: String, _ detail: String) -> APIError {
        APIError(.invalidParameter, detail, parameter: name)
    }

    static func notFound(_ detail: String) -> APIError {
        APIError(.notFound, detail)
    }

    var description: String { "\(code.rawValue): \(detail)" }
}
