/// The body of `POST /v1/subjects/{id}/erase`: `{"reason": "…"}`, checked strictly like a
/// command's (an unknown member is refused too, so a misspelt `reason` cannot pass unnoticed).
///
/// The reason goes into the `SubjectErased` event's envelope, in the log for good: it says why
/// (a ticket number, the legal ground), never who.
struct ErasureRequest: Sendable, Equatable {
    /// The longest reason accepted, like `X-Reason`'s.
    static let maxReasonLength = CommandHeaders.maxReasonLength

    var reason: String

    /// - Throws: 400 `validation-failed` naming each offending member.
    init(_ members: [String: JSONValue]) throws(APIError) {
        var problems = members.keys.sorted().filter { $0 != "reason" }.map { APIError.FieldProblem(field: $0, reason: "unknown field") }
        var reason = ""
        switch members["reason"] {
        case .string(let text)? where !text.allSatisfy(\.isWhitespace) && text.count <= Self.maxReasonLength:
            reason = text
        case .string?:
            problems.append(.init(field: "reason", reason: "must have 1 to \(Self.maxReasonLength) characters, not only blanks"))
        case nil, .null?:
            problems.append(.init(field: "reason", reason: "required: why the subject is erased (recorded in the log; do not name the person)"))
        default:
            problems.append(.init(field: "reason", reason: "must be a string"))
        }
        guard problems.isEmpty else { throw .validationFailed(problems) }
        self.reason = reason
    }
}
