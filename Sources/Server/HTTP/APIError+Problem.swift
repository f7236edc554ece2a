import EventStore
import Hummingbird
import HTTPTypes

/// The one place where errors become HTTP statuses and problem details (RFC 9457).
extension APIError.Code {
    var status: HTTPResponse.Status {
        switch self {
        case .invalidParameter, .badRequest: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound, .unknownRoute: .notFound
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
        case let error as EventStoreError:
            switch error {
            case .wrongExpectedVersion, .eventIdConflict: self.init(.conflict, error.description)
            case .invalidAppend: self.init(.invalidAppend, error.description)
            case .closed: self.init(.unavailable, "the event store is closed; the server is shutting down")
            case .corrupt(let position, _):
                self.init(.corruptEvent, "the stored event at position \(position) cannot be decoded; run `crm verify`")
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

    /// The problem document sent as `application/problem+json`.
    func problem(instance: String) -> Problem {
        Problem(code: code.rawValue, title: code.title, status: Int(code.status.code), detail: detail,
                instance: instance, parameter: parameter, permission: permission?.rawValue)
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
}
