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
        let (lead, _) = try handler.load(Lead.self, id: command.leadId)
        let (_, existingCustomer) = try handler.load(Customer.self, id: command.customerId)
        var context = context
        // Reserve only for a customer that would be new: reserving an existing id would add the
        // lead's keys to someone else's (the decision refuses it with `alreadyExists` anyway).
        let reserves = lead.exists && existingCustomer == 0
        if reserves {
            let registration = command.registration(of: lead)
            let keys = DuplicateIndex.keys(of: registration)
            context.duplicateMatches = customers.duplicates.reserve(keys, for: command.customerId)
        }
        do {
            return try await append(command, context: context, metadata: metadata, eventIds: eventIds)
        } catch {
            if reserves { restoreKeys(of: command.customerId) }
            throw error
        }
    }

    private func append(_ command: ConvertLead, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]?) async throws -> [AppendResult] {
        let handler = customers.handler
        for _ in 0..<handler.maxAttempts {
            let (lead, leadVersion) = try handler.load(Lead.self, id: command.leadId)
            let (customer, customerVersion) = try handler.load(Customer.self, id: command.customerId)
            let (opportunity, opportunityVersion) = try handler.load(Opportunity.self, id: command.opportunityId)
            let (process, processVersion) = try handler.load(SalesProcess.self, id: command.processId)
            let events = try command.decide(lead: lead, customer: customer, opportunity: opportunity,
                                            process: processVersion == 0 ? nil : process, context)
            let leadIds = eventIds.map { Array($0.prefix(events.lead.count)) }
            let customerIds = eventIds.map { Array($0.dropFirst(events.lead.count).prefix(events.customer.count)) }
            let opportunityIds = eventIds.map { Array($0.dropFirst(events.lead.count + events.customer.count)) }
            do {
                return try await handler.appendAtomically([
                    (Lead.stream(command.leadId), leadVersion, events.lead, leadIds),
                    (Customer.stream(command.customerId), customerVersion, events.customer, customerIds),
                    (Opportunity.stream(command.opportunityId), opportunityVersion, events.opportunity, opportunityIds),
                ], metadata: metadata)
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
        }
        throw DomainError.concurrencyConflict(stream: Lead.stream(command.leadId), attempts: handler.maxAttempts)
    }

    /// After a refused conversion: the customer id keeps the keys of whoever registered it
    /// meanwhile, or none.
    private func restoreKeys(of customerId: String) {
        guard let (customer, version) = try? customers.handler.load(Customer.self, id: customerId), version > 0,
              customer.mergedInto == nil else {
            customers.duplicates.release(customerId)
            return
        }
        customers.duplicates.set(DuplicateIndex.keys(of: customer), for: customerId)
    }
}
