import Domain
import EventStore
import Foundation
import Synchronization

/// Executes the API's commands: decides against the current state, appends with the stream's
/// version (or the caller's `If-Match`), and keeps the duplicate index current.
///
/// Deciding is the domain's (`DomainCommand.decide`, `CustomerService`, `LeadConversion`); what is
/// added here is what HTTP needs and the handler does not offer: an expected version from the
/// caller, event ids derived from an idempotency key, and a registration that also assigns its
/// manager in the same append.
final class CommandServices: Sendable {
    let handler: CommandHandler
    let customers: CustomerService
    let conversion: LeadConversion
    let idempotency: IdempotencyStore
    /// Whether the duplicate index has been filled from the log (done once, before the first
    /// command that reads or changes it).
    private let indexed = Mutex(false)
    /// How often a command is decided again when its stream changed meanwhile (as the domain's
    /// `CommandHandler` does).
    static let maxAttempts = 5

    init(handler: CommandHandler, dataDirectory: String) {
        self.handler = handler
        customers = CustomerService(handler: handler)
        conversion = LeadConversion(customers: customers)
        idempotency = IdempotencyStore(directory: dataDirectory + "/idempotency")
    }

    var store: EventStore { handler.store }

    /// Fills the duplicate index from the log the first time it is needed.
    func ensureDuplicateIndex() async throws {
        try await offload { [self] in
            try indexed.withLock { done in
                guard !done else { return }
                try customers.rebuildIndex()
                done = true
            }
        }
    }

    /// Decides `command` (then `next`, a registration's manager assignment, on the state it leaves)
    /// and appends the events in one append.
    ///
    /// - Parameters:
    ///   - expected: The caller's `If-Match`: the stream must be at this version, or 409
    ///     `version-conflict` and nothing is written. Without it a concurrent change is retried
    ///     (bounded) by deciding again.
    ///   - eventIds: Ids of the new events (derived from an idempotency key), random when nil.
    func execute<C: DomainCommand>(
        _ command: C, context base: DecisionContext, expected: UInt64?, eventIds: [UUID]?, metadata: AppendMetadata,
        then next: AssignCustomerManager? = nil
    ) async throws -> CommandOutcome {
        try await execute(command, on: C.Target.self, context: base, expected: expected, eventIds: eventIds, metadata: metadata, then: next)
    }

    /// `execute` with the target type spelled out (the compiler needs it as a parameter of its own).
    private func execute<C: DomainCommand, A: Aggregate>(
        _ command: C, on target: A.Type, context base: DecisionContext, expected: UInt64?, eventIds: [UUID]?,
        metadata: AppendMetadata, then next: AssignCustomerManager?
    ) async throws -> CommandOutcome where C.Target == A {
        let stream = A.stream(command.targetId)
        // Decided by the handler in turn with the other commands queued on the stream (and appended
        // together with them), or alone after a failed combined append; either way against the
        // version it is appended at, so `If-Match` is checked there.
        let outcome = try await handler.execute(on: A.self, id: command.targetId, references: command.references, context: base,
                                                metadata: metadata, eventIds: eventIds) { state, version, context in
            if let expected, expected != version {
                throw APIError.versionConflict(stream: stream, expected: String(expected), current: version)
            }
            var events = try command.decide(state, context)
            if let next, let customer = state.applying(events) as? Customer { events += try next.decide(customer, context) }
            return events
        }
        return CommandOutcome(stream: stream, streamVersion: outcome.streamVersion, positions: outcome.positions,
                              eventTypes: outcome.eventTypes)
    }

    /// Merges `command.absorbedId` into `command.survivorId`: both streams in one atomic append.
    /// `expected` applies to the survivor's stream (the one the route addresses).
    func merge(_ command: MergeCustomers, context: DecisionContext, expected: UInt64?, eventIds: [UUID]?,
               metadata: AppendMetadata) async throws -> CommandOutcome {
        let stream = Customer.stream(command.survivorId)
        for _ in 0..<Self.maxAttempts {
            let decision = try customers.decide(command, context: context, loader: handler)
            if let expected, expected != decision.survivorVersion {
                throw APIError.versionConflict(stream: stream, expected: String(expected), current: decision.survivorVersion)
            }
            let ids = eventIds.map { (Array($0.prefix(decision.survivor.count)), Array($0.dropFirst(decision.survivor.count))) }
            do {
                let results = try await store.append([
                    StreamAppend(stream: stream, expected: Self.expected(decision.survivorVersion),
                                 events: try await encode(decision.survivor, ids: ids?.0)),
                    StreamAppend(stream: Customer.stream(command.absorbedId), expected: Self.expected(decision.absorbedVersion),
                                 events: try await encode(decision.absorbed, ids: ids?.1)),
                ], metadata: metadata)
                customers.merged(command)
                return Self.outcome(stream: stream, results, types: (decision.survivor + decision.absorbed).map(\.eventType))
            } catch EventStoreError.wrongExpectedVersion(let failed, _, let actual) {
                if expected != nil, failed == stream { throw APIError.versionConflict(stream: stream, expected: String(decision.survivorVersion), current: actual) }
                continue
            }
        }
        throw DomainError.concurrencyConflict(stream: stream, attempts: Self.maxAttempts)
    }

    /// Converts `command.leadId`: lead, new customer and new opportunity in one atomic append.
    /// `expected` applies to the lead's stream.
    func convert(_ command: ConvertLead, context: DecisionContext, expected: UInt64?, eventIds: [UUID]?,
                 metadata: AppendMetadata) async throws -> CommandOutcome {
        let stream = Lead.stream(command.leadId)
        return try await conversion.withKeysReserved(for: command, context: context, loader: handler) { context in
            for _ in 0..<Self.maxAttempts {
                let decision = try conversion.decide(command, context: context, loader: handler)
                if let expected, expected != decision.leadVersion {
                    throw APIError.versionConflict(stream: stream, expected: String(expected), current: decision.leadVersion)
                }
                let ids = eventIds.map { decision.split($0) }
                do {
                    let results = try await store.append([
                        StreamAppend(stream: stream, expected: Self.expected(decision.leadVersion), events: try await encode(decision.lead, ids: ids?.lead)),
                        StreamAppend(stream: Customer.stream(command.customerId), expected: Self.expected(decision.customerVersion),
                                     events: try await encode(decision.customer, ids: ids?.customer)),
                        StreamAppend(stream: Opportunity.stream(command.opportunityId), expected: Self.expected(decision.opportunityVersion),
                                     events: try await encode(decision.opportunity, ids: ids?.opportunity)),
                    ], metadata: metadata)
                    return Self.outcome(stream: stream, results,
                                        types: (decision.lead + decision.customer + decision.opportunity).map(\.eventType))
                } catch EventStoreError.wrongExpectedVersion(let failed, _, let actual) {
                    if expected != nil, failed == stream { throw APIError.versionConflict(stream: stream, expected: String(decision.leadVersion), current: actual) }
                    continue
                }
            }
            throw DomainError.concurrencyConflict(stream: stream, attempts: Self.maxAttempts)
        }
    }

    /// The outcome of a command whose events (with ids derived from its idempotency key) are
    /// already in the log: a retry after the server stopped between appending and storing the
    /// answer. Nil when the first event is not stored.
    func storedOutcome(eventIds: [UUID]) throws -> CommandOutcome? {
        guard let first = eventIds.first, try store.storedEventIds([first]).contains(first) else { return nil }
        var events: [RecordedEvent] = []
        for id in eventIds {
            guard let event = try store.event(id: id) else { break }
            events.append(event)
        }
        guard let head = events.first else { return nil }
        let version = events.last { $0.stream == head.stream }?.streamVersion ?? head.streamVersion
        return CommandOutcome(stream: head.stream, streamVersion: version, positions: events.map(\.position), eventTypes: events.map(\.type))
    }

    private func encode(_ events: [any DomainEvent], ids: [UUID]?) async throws -> [ProposedEvent] {
        try await handler.registry.encode(events, ids: ids)
    }

    private static func expected(_ version: UInt64) -> ExpectedVersion { version == 0 ? .noStream : .exact(version) }

    private static func outcome(stream: String, _ results: [AppendResult], types: [String]) -> CommandOutcome {
        CommandOutcome(stream: stream, streamVersion: results.first { $0.stream == stream }?.streamVersion ?? 0,
                       positions: results.flatMap(\.positions), eventTypes: types)
    }
}
