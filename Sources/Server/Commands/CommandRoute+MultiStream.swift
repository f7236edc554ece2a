import Domain
import Foundation
import HTTPTypes

/// The command routes that need more than `CommandServices.execute`: the ones that read or change
/// the duplicate index (registration, profile changes), and the two that write several streams.
extension CommandRoute {
    /// `POST /v1/customers`: registers a customer and, in the same append, assigns its manager.
    ///
    /// `managerId` is an option of the route, not of the command: a manager or agent registering a
    /// customer makes it its own unless it names another manager in its scope (otherwise it could
    /// not change the customer it just created); an admin may leave the customer unassigned.
    static let register = CommandRoute(
        method: .post, path: "/v1/customers", commandType: RegisterCustomer.commandType, summary: "Register a customer",
        tag: "customers", permission: .customersWrite, pathMembers: [], creates: true, schema: schema(of: RegisterCustomer.self),
        options: [BodySchema.Field(name: "managerId", schema: .string, required: false)], customerLocation: "customerId",
        run: registerCustomer)

    private static func registerCustomer(_ invocation: CommandInvocation) async throws -> CommandOutcome {
        let command = try invocation.decode(RegisterCustomer.self)
        let manager: String?
        if case .string(let named)? = invocation.options["managerId"] {
            manager = named
        } else {
            manager = [.manager, .agent].contains(invocation.principal.role) ? invocation.principal.user : nil
        }
        if let manager { try invocation.scope.check([.manager(manager)]) }
        let services = invocation.services
        try await services.ensureDuplicateIndex()
        let assignment = manager.map { AssignCustomerManager(customerId: command.customerId, managerId: $0) }
        let handler = services.handler
        let expected = invocation.expected, eventIds = invocation.eventIds, metadata = invocation.metadata
        return try await services.customers.withKeysReserved(for: command, context: invocation.context, loader: handler) {
            (context: DecisionContext) async throws -> CommandOutcome in
            try await services.execute(command, context: context, expected: expected, eventIds: eventIds, metadata: metadata,
                                       then: assignment)
        }
    }

    /// `POST /v1/customers/{id}/profile`: changes profile fields and the customer's duplicate keys.
    static let profile = CommandRoute(
        method: .post, path: "/v1/customers/{id}/profile", commandType: ChangeCustomerProfile.commandType,
        summary: "Change a customer's profile", tag: "customers", permission: .customersWrite,
        pathMembers: [("id", "customerId")], creates: false, schema: schema(of: ChangeCustomerProfile.self),
        run: { invocation in
            let command = try invocation.decode(ChangeCustomerProfile.self)
            try invocation.scope.check([.customer(command.customerId)])
            let services = invocation.services
            try await services.ensureDuplicateIndex()
            let outcome = try await services.execute(
                command, context: invocation.context, expected: invocation.expected, eventIds: invocation.eventIds,
                metadata: invocation.metadata)
            try services.customers.refreshKeys(of: command.customerId, from: services.handler)
            return outcome
        })

    /// `POST /v1/customers/{id}/merge`: the customer in the path absorbs `absorbedId`.
    static let merge = CommandRoute(
        method: .post, path: "/v1/customers/{id}/merge", commandType: MergeCustomers.commandType,
        summary: "Merge a duplicate into this customer", tag: "customers", permission: .customersWrite,
        pathMembers: [("id", "survivorId")], creates: false, schema: schema(of: MergeCustomers.self),
        run: { invocation in
            let command = try invocation.decode(MergeCustomers.self)
            try invocation.scope.check([.customer(command.survivorId), .customer(command.absorbedId)])
            try await invocation.services.ensureDuplicateIndex()
            let outcome = try await invocation.services.merge(
                command, context: invocation.context, expected: invocation.expected, eventIds: invocation.eventIds,
                metadata: invocation.metadata)
            return outcome
        })

    /// `POST /v1/leads/{id}/convert`: the lead becomes a customer and an opportunity, atomically.
    static let convert = CommandRoute(
        method: .post, path: "/v1/leads/{id}/convert", commandType: ConvertLead.commandType,
        summary: "Convert a lead into a customer and an opportunity", tag: "leads", permission: .salesWrite,
        pathMembers: [("id", "leadId")], creates: true, schema: schema(of: ConvertLead.self), customerLocation: "customerId",
        run: { invocation in
            let command = try invocation.decode(ConvertLead.self)
            try invocation.scope.check([.manager(command.ownerId)])
            try await invocation.services.ensureDuplicateIndex()
            let outcome = try await invocation.services.convert(
                command, context: invocation.context, expected: invocation.expected, eventIds: invocation.eventIds,
                metadata: invocation.metadata)
            return outcome
        })
}
