import EventStore
import Foundation

/// Converts leads: the one sales operation that writes three streams at once. Like
/// `CustomerService.merge`, it decides against the current versions of all three and appends them
/// atomically, retrying (bounded) when any of them changed meanwhile; like
/// `CustomerService.register`, it reserves the new customer's duplicate keys first and releases
/// them if the conversion is refused.
public final class LeadConversion: Sendable {
    /// The customer service whose handler and duplicate index the conversion shares, so converted
    /// customers are found as duplicates exactly like registered ones.
    public let customers: CustomerService

    public init(customers: CustomerService) {
        self.customers = customers
    }

    /// Converts `command.leadId`; all three streams are written, or none.
    ///
    /// - Parameter eventIds: ids for the new events in order (lead, customer, opportunity), for
    ///   idempotent imports; random when nil or too short.
    /// - Throws: `DomainError` when any part is refused (nothing written), `EventStoreError` on
    ///   storage failures.
    @discardableResult
    public func convert(_ command: ConvertLead, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]? = nil) async throws -> [AppendResult] {
        let handler = customers.handler
        return try await withKeysReserved(for: command, context: context, loader: handler) { context in
            for _ in 0..<handler.maxAttempts {
                let decision = try decide(command, context: context, loader: handler)
                let ids = eventIds.map { decision.split($0) }
                do {
                    return try await handler.appendAtomically([
                        (Lead.stream(command.leadId), decision.leadVersion, decision.lead, ids?.lead),
                        (Customer.stream(command.customerId), decision.customerVersion, decision.customer, ids?.customer),
                        (Opportunity.stream(command.opportunityId), decision.opportunityVersion, decision.opportunity, ids?.opportunity),
                    ], metadata: metadata)
                } catch EventStoreError.wrongExpectedVersion {
                    continue
                }
            }
            throw DomainError.concurrencyConflict(stream: Lead.stream(command.leadId), attempts: handler.maxAttempts)
        }
    }

    /// A conversion decided against one view of its records: per stream, the events and the
    /// version they were decided against.
    public struct Decision {
        public var lead: [any DomainEvent]
        public var leadVersion: UInt64
        public var customer: [any DomainEvent]
        public var customerVersion: UInt64
        public var opportunity: [any DomainEvent]
        public var opportunityVersion: UInt64

        /// `ids` split in the order the events are written: lead, customer, opportunity.
        public func split(_ ids: [UUID]) -> (lead: [UUID], customer: [UUID], opportunity: [UUID]) {
            (Array(ids.prefix(lead.count)), Array(ids.dropFirst(lead.count).prefix(customer.count)),
             Array(ids.dropFirst(lead.count + customer.count)))
        }
    }

    /// Decides `command` against the records `loader` holds: the handler's view of the log (live
    /// commands) or a `CommandBatch`'s (imports). Call it inside `withKeysReserved`.
    public func decide(_ command: ConvertLead, context: DecisionContext, loader: some AggregateLoader) throws -> Decision {
        let (lead, leadVersion) = try loader.load(Lead.self, id: command.leadId)
        let (customer, customerVersion) = try loader.load(Customer.self, id: command.customerId)
        let (opportunity, opportunityVersion) = try loader.load(Opportunity.self, id: command.opportunityId)
        let (process, processVersion) = try loader.load(SalesProcess.self, id: command.processId)
        let events = try command.decide(lead: lead, customer: customer, opportunity: opportunity,
                                        process: processVersion == 0 ? nil : process, context)
        return Decision(lead: events.lead, leadVersion: leadVersion, customer: events.customer, customerVersion: customerVersion,
                        opportunity: events.opportunity, opportunityVersion: opportunityVersion)
    }

    /// Runs `body` with the new customer's duplicate keys reserved (`CustomerService.withKeysReserved`)
    /// when the conversion would register a new customer. Reserving an existing id would add the
    /// lead's keys to someone else's (the decision refuses it with `alreadyExists` anyway), so then
    /// `body` runs without a reservation.
    @discardableResult
    public func withKeysReserved<T>(for command: ConvertLead, context: DecisionContext, loader: some AggregateLoader,
                                    _ body: (DecisionContext) throws -> T) throws -> T {
        guard let registration = try newRegistration(command, loader: loader) else { return try body(context) }
        return try customers.withKeysReserved(for: registration, context: context, loader: loader, body)
    }

    /// `withKeysReserved` for a `body` that appends (live commands).
    @discardableResult
    public func withKeysReserved<T>(for command: ConvertLead, context: DecisionContext, loader: some AggregateLoader,
                                    _ body: (DecisionContext) async throws -> T) async throws -> T {
        guard let registration = try newRegistration(command, loader: loader) else { return try await body(context) }
        return try await customers.withKeysReserved(for: registration, context: context, loader: loader, body)
    }

    /// The registration a conversion performs, if its lead exists and its customer id is new.
    private func newRegistration(_ command: ConvertLead, loader: some AggregateLoader) throws -> RegisterCustomer? {
        let (lead, _) = try loader.load(Lead.self, id: command.leadId)
        let (_, customerVersion) = try loader.load(Customer.self, id: command.customerId)
        return lead.exists && customerVersion == 0 ? command.registration(of: lead) : nil
    }
}
