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
        let keys = DuplicateIndex.keys(of: command)
        var context = context
        context.duplicateMatches = duplicates.reserve(keys, for: command.customerId)
        do {
            return try await handler.execute(command, context: context, metadata: metadata, eventIds: eventIds)
        } catch {
            // A refused registration must not block the keys; a retry of an existing id keeps them.
            if case DomainError.alreadyExists = error {} else { duplicates.release(command.customerId) }
            throw error
        }
    }

    /// Changes a profile and keeps the duplicate index current.
    @discardableResult
    public func changeProfile(_ command: ChangeCustomerProfile, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]? = nil) async throws -> CommandHandler.Outcome {
        let outcome = try await handler.execute(command, context: context, metadata: metadata, eventIds: eventIds)
        let (state, _) = try handler.load(Customer.self, id: command.customerId)
        duplicates.set(DuplicateIndex.keys(of: state), for: command.customerId)
        return outcome
    }

    /// Merges `absorbedId` into `survivorId` atomically, retrying (bounded) if either changed meanwhile.
    @discardableResult
    public func merge(_ command: MergeCustomers, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]? = nil) async throws -> [AppendResult] {
        for _ in 0..<handler.maxAttempts {
            let (survivor, survivorVersion) = try handler.load(Customer.self, id: command.survivorId)
            let (absorbed, absorbedVersion) = try handler.load(Customer.self, id: command.absorbedId)
            let events = try command.decide(survivor: survivor, absorbed: absorbed, context)
            do {
                let results = try await handler.appendAtomically([
                    (Customer.stream(command.survivorId), survivorVersion, events.survivor, eventIds.map { Array($0.prefix(1)) }),
                    (Customer.stream(command.absorbedId), absorbedVersion, events.absorbed, eventIds.map { Array($0.dropFirst(1)) }),
                ], metadata: metadata)
                duplicates.set([], for: command.absorbedId)
                return results
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
        }
        throw DomainError.concurrencyConflict(stream: Customer.stream(command.absorbedId), attempts: handler.maxAttempts)
    }
}
