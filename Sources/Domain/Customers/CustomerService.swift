import EventStore
import Foundation

/// The customer commands that need more than one stream: registration (duplicate detection across
/// all customers) and merge (two streams at once). Every other customer command goes straight
/// through `CommandHandler`.
public final class CustomerService: Sendable {
    public let handler: CommandHandler
    public let duplicates: DuplicateIndex

    public init(handler: CommandHandler, duplicates: DuplicateIndex = DuplicateIndex()) {
        self.handler = handler
        self.duplicates = duplicates
    }

    /// Fills the duplicate index from the log (start-up).
    public func rebuildIndex() throws {
        var customers: [String: Customer] = [:]
        var next: UInt64 = 1
        let types = Set(Customer.eventTypes.map { $0.eventType })
        while true {
            let page = try handler.store.readPage(from: next, limit: 4096, types: types)
            for recorded in page.events {
                let event = try handler.registry.decode(recorded)
                let id = String(recorded.stream.dropFirst(Customer.category.count + 1))
                customers[id, default: Customer()].apply(event)
                duplicates.apply(event, current: customers[id])
            }
            if page.next == next { break }
            next = page.next
        }
    }

    /// Registers a customer after checking for likely duplicates.
    @discardableResult
    public func register(_ command: RegisterCustomer, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]? = nil) async throws -> CommandHandler.Outcome {
        try await withKeysReserved(for: command, context: context, loader: handler) { context in
            try await handler.execute(command, context: context, metadata: metadata, eventIds: eventIds)
        }
    }

    /// Changes a profile and keeps the duplicate index current.
    @discardableResult
    public func changeProfile(_ command: ChangeCustomerProfile, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]? = nil) async throws -> CommandHandler.Outcome {
        let outcome = try await handler.execute(command, context: context, metadata: metadata, eventIds: eventIds)
        try refreshKeys(of: command.customerId, from: handler)
        return outcome
    }

    /// Runs `body` with the duplicate keys of `registration` claimed for its customer id; `body` gets
    /// `context` with the customers the registration resembles (`duplicateMatches`). If `body`
    /// throws, the id keeps only the keys of the customer stored under it in `loader` (an existing
    /// id, or whoever registered it meanwhile), or none: a refused registration blocks nothing.
    ///
    /// The one place registrations reserve keys, for live commands (`loader`: the handler) and
    /// imports (`loader`: the `CommandBatch`); lead conversions go through it too.
    @discardableResult
    public func withKeysReserved<T>(for registration: RegisterCustomer, context: DecisionContext, loader: some AggregateLoader,
                                    _ body: (DecisionContext) throws -> T) throws -> T {
        let context = reserveKeys(of: registration, context: context)
        do { return try body(context) } catch {
            restoreKeys(of: registration.customerId, from: loader)
            throw error
        }
    }

    /// `withKeysReserved` for a `body` that appends (live commands).
    @discardableResult
    public func withKeysReserved<T>(for registration: RegisterCustomer, context: DecisionContext, loader: some AggregateLoader,
                                    _ body: (DecisionContext) async throws -> T) async throws -> T {
        let context = reserveKeys(of: registration, context: context)
        do { return try await body(context) } catch {
            restoreKeys(of: registration.customerId, from: loader)
            throw error
        }
    }

    private func reserveKeys(of registration: RegisterCustomer, context: DecisionContext) -> DecisionContext {
        var context = context
        context.duplicateMatches = duplicates.reserve(DuplicateIndex.keys(of: registration), for: registration.customerId)
        return context
    }

    /// After a refused registration or conversion: `customerId` keeps the keys of the live customer
    /// stored under it, or none.
    private func restoreKeys(of customerId: String, from loader: some AggregateLoader) {
        guard let (customer, version) = try? loader.load(Customer.self, id: customerId), version > 0,
              customer.mergedInto == nil else {
            duplicates.release(customerId)
            return
        }
        duplicates.set(DuplicateIndex.keys(of: customer), for: customerId)
    }

    /// After a profile change: the customer is known by the keys of its profile as `loader` sees it.
    public func refreshKeys(of customerId: String, from loader: some AggregateLoader) throws {
        let (state, _) = try loader.load(Customer.self, id: customerId)
        duplicates.set(DuplicateIndex.keys(of: state), for: customerId)
    }

    /// A merge decided against the two customers `loader` holds (the handler's view of the log, or
    /// a batch's), with the versions it was decided against.
    public func decide(_ command: MergeCustomers, context: DecisionContext, loader: some AggregateLoader) throws
        -> (survivor: [any DomainEvent], survivorVersion: UInt64, absorbed: [any DomainEvent], absorbedVersion: UInt64) {
        let (survivor, survivorVersion) = try loader.load(Customer.self, id: command.survivorId)
        let (absorbed, absorbedVersion) = try loader.load(Customer.self, id: command.absorbedId)
        let events = try command.decide(survivor: survivor, absorbed: absorbed, context)
        return (events.survivor, survivorVersion, events.absorbed, absorbedVersion)
    }

    /// After a merge: the absorbed customer is no one's duplicate any more.
    public func merged(_ command: MergeCustomers) {
        duplicates.set([], for: command.absorbedId)
    }

    /// Merges `absorbedId` into `survivorId` atomically, retrying (bounded) if either changed meanwhile.
    @discardableResult
    public func merge(_ command: MergeCustomers, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]? = nil) async throws -> [AppendResult] {
        for _ in 0..<handler.maxAttempts {
            let decision = try decide(command, context: context, loader: handler)
            do {
                let results = try await handler.appendAtomically([
                    (Customer.stream(command.survivorId), decision.survivorVersion, decision.survivor, eventIds.map { Array($0.prefix(decision.survivor.count)) }),
                    (Customer.stream(command.absorbedId), decision.absorbedVersion, decision.absorbed, eventIds.map { Array($0.dropFirst(decision.survivor.count)) }),
                ], metadata: metadata)
                merged(command)
                return results
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
        }
        throw DomainError.concurrencyConflict(stream: Customer.stream(command.absorbedId), attempts: handler.maxAttempts)
    }
}
