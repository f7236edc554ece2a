import Domain
import EventStore
import Foundation

/// Everything a command route's `run` needs once the request has been checked: the command's
/// JSON (path ids merged in), the API-level options, the caller's row scope, the business time,
/// the caller's `If-Match`, the event ids an idempotency key derives, and the append metadata
/// taken from the authenticated request.
struct CommandInvocation: Sendable {
    /// The command's JSON, exactly the shape the importer decodes.
    var body: Data
    /// Members the route accepts besides the command's (e.g. a registration's `managerId`).
    var options: [String: JSONValue]
    var principal: Principal
    var scope: CommandScope
    var services: CommandServices
    /// Business time: the server's clock when the request was decided.
    var context: DecisionContext
    /// `If-Match`: the version the addressed stream must be at.
    var expected: UInt64?
    /// Ids for the new events, derived from the idempotency key; nil without one.
    var eventIds: [UUID]?
    var metadata: AppendMetadata

    /// The body decoded as `C` with the importer's decoder (`PayloadDecoder`, which leaves what it
    /// declines, errors included, to `EventRegistry.decoder`); a shape the schema check let through
    /// but the type still refuses becomes 400 `validation-failed` naming the member.
    func decode<C: Decodable>(_ type: C.Type) throws -> C {
        do {
            return try PayloadDecoder.decode(type, from: body)
        } catch let error as DecodingError {
            throw APIError.validationFailed([CommandInvocation.problem(error)])
        }
    }

    /// The member a decoding error is about, and why.
    static func problem(_ error: DecodingError) -> APIError.FieldProblem {
        func path(_ keys: [any CodingKey]) -> String {
            let joined = keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            let trimmed = joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
            return trimmed.isEmpty ? "body" : trimmed
        }
        switch error {
        case .typeMismatch(_, let context): return .init(field: path(context.codingPath), reason: "has the wrong type")
        case .valueNotFound(_, let context): return .init(field: path(context.codingPath), reason: "required")
        case .keyNotFound(let key, let context): return .init(field: path(context.codingPath + [key]), reason: "required")
        case .dataCorrupted(let context): return .init(field: path(context.codingPath), reason: context.debugDescription)
        @unknown default: return .init(field: "body", reason: "cannot be decoded")
        }
    }
}
