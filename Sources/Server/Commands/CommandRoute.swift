import Domain
import Foundation
import HTTPTypes

/// One row of the command table (`CommandRoute.all`): the HTTP route of one domain command, the
/// permission it needs, which path parameters fill which command members, whether it creates a
/// record, the body's shape (probed from the command type) and how to run it.
///
/// The route handler (`CommandRoutes`), the access table (`RoutePermissions.commands`) and the
/// OpenAPI operations (`APIOperations.commands`) are all generated from these rows.
struct CommandRoute: Sendable {
    var method: HTTPRequest.Method
    /// The router's path pattern.
    var path: String
    /// The domain's stable command name, e.g. `RegisterCustomer`.
    var commandType: String
    var summary: String
    /// The OpenAPI tag the operation is listed under.
    var tag: String
    var permission: Permission
    /// Path parameter → command member, e.g. `id` → `customerId`.
    var pathMembers: [(parameter: String, member: String)]
    /// 201 with `Location` instead of 200.
    var creates: Bool
    /// The command's own body shape.
    var schema: BodySchema
    /// Members the route accepts besides the command's; passed to `run` as `options`.
    var options: [BodySchema.Field] = []
    /// For creations whose record has a read route of its own: the member holding its customer id
    /// (`Location: /v1/customers/<id>`); other creations point at their stream.
    var customerLocation: String? = nil
    /// Decides and appends; returns what was written.
    var run: @Sendable (CommandInvocation) async throws -> CommandOutcome

    /// `METHOD path`, the key of the access table and of the documentation.
    var key: String { "\(method.rawValue) \(path)" }

    /// The body as documented: the command's members (those from the path optional, since they may
    /// be repeated but must then agree) plus the route's options.
    var bodySchema: BodySchema {
        options.reduce(schema.optional(Set(pathMembers.map(\.member)))) { $0.adding($1) }
    }

    /// Where a created record can be read: nil for routes that change an existing record.
    func location(members: [String: JSONValue], outcome: CommandOutcome) -> String? {
        guard creates else { return nil }
        if let member = customerLocation, case .string(let id)? = members[member] { return "/v1/customers/\(id)" }
        return "/v1/streams/\(outcome.stream)"
    }

    /// The schema of `C`, which every command type must have (`CommandRouteTests` checks it).
    static func schema<C: Decodable>(of type: C.Type) -> BodySchema {
        guard let schema = BodySchema.of(type) else {
            preconditionFailure("the body schema of \(type) cannot be probed; see SchemaProbeDecoder")
        }
        return schema
    }

    /// A route for a single-aggregate command, executed by `CommandServices.execute` after the
    /// records `scope` names are checked against the caller's rows.
    static func single<C: DomainCommand>(
        _ type: C.Type, method: HTTPRequest.Method = .post, _ path: String, _ summary: String, tag: String,
        permission: Permission, path members: [(String, String)]? = nil, creates: Bool = false,
        scope: @escaping @Sendable (C) -> [ScopeTarget] = { _ in [] }
    ) -> CommandRoute {
        CommandRoute(
            method: method, path: path, commandType: C.commandType, summary: summary, tag: tag, permission: permission,
            pathMembers: (members ?? (path.contains("{id}") ? [("id", idMember(of: C.self))] : [])).map { ($0.0, $0.1) },
            creates: creates, schema: schema(of: C.self),
            run: { invocation in
                let command = try invocation.decode(C.self)
                try invocation.scope.check(scope(command))
                return try await invocation.services.execute(
                    command, context: invocation.context, expected: invocation.expected, eventIds: invocation.eventIds,
                    metadata: invocation.metadata)
            })
    }

    /// The member that holds the target's id, by the domain's naming: the target category followed
    /// by `Id` (`customerId` for `customer-…`; a few categories are spelled differently).
    /// `CommandRouteTests` checks every route's path members exist in its command.
    static func idMember<C: DomainCommand>(of type: C.Type) -> String {
        switch C.Target.category {
        case "case": "caseId"
        case "salesprocess": "processId"
        case "manager", "teammember": "managerId"
        case let category: "\(category)Id"
        }
    }
}
