import Domain
import EventStore
import Foundation
import Testing

/// Shared set-up for the sales suites (leads, sales processes, opportunities, quotes, orders).
enum Sales {
    /// An amount in euros; `amount` is a decimal string such as `"1234.50"`.
    static func eur(_ amount: String) throws -> Money { try Money(amount, "EUR") }

    /// The stages of the process most tests follow: qualification needs a budget and a decision
    /// maker, the proposal stage needs the date the proposal was sent.
    static let stages = [
        SalesStage(name: "prospecting", winProbability: 10),
        SalesStage(name: "qualification", winProbability: 25, requiredFields: ["budget", "decisionMaker"]),
        SalesStage(name: "proposal", winProbability: 60, requiredFields: ["proposalSentAt"]),
        SalesStage(name: "negotiation", winProbability: 80),
        SalesStage(name: "commit", winProbability: 90),
    ]

    static let closeDate = Date(timeIntervalSince1970: 1_775_001_600)  // 2026-04-01T00:00:00Z
}

extension DomainFixture {
    /// The decoded events of a stream, in order.
    func salesEvents(_ stream: String) throws -> [any DomainEvent] {
        try store.readStream(stream).map { try handler.registry.decode($0) }
    }

    /// The last event of a stream, which must be of type `E`.
    func salesLast<E: DomainEvent>(_ type: E.Type, in stream: String) throws -> E {
        let last = try #require(try salesEvents(stream).last)
        return try #require(last as? E, "last event of \(stream) is \(last.eventType), not \(E.eventType)")
    }

    /// Defines the standard process (`Sales.stages`).
    func defineSalesProcess(_ id: String = "standard", allowsSkipping: Bool = false) async throws {
        try await run(DefineSalesProcess(processId: id, name: "Standard B2B", stages: Sales.stages, allowsSkipping: allowsSkipping))
    }

    /// Registers `customer` if needed, defines `process` if needed, and opens an opportunity of 10,000 EUR.
    func openSalesOpportunity(_ id: String = "o1", customer: String = "c1", process: String = "standard",
                              allowsSkipping: Bool = false) async throws {
        if try store.readStream(Customer.stream(customer), limit: 1).isEmpty { try await register(customer) }
        if try store.readStream(SalesProcess.stream(process), limit: 1).isEmpty {
            try await defineSalesProcess(process, allowsSkipping: allowsSkipping)
        }
        try await run(OpenOpportunity(opportunityId: id, customerId: customer, processId: process, title: "Fleet renewal",
                                      cycleKind: .newBusiness, amount: try Sales.eur("10000"), expectedCloseDate: Sales.closeDate,
                                      ownerId: "mgr-ann"))
    }

    /// Checks that `command` is refused with exactly `expected` and wrote nothing.
    func expectSalesRefusal<C: DomainCommand>(_ command: C, _ expected: DomainError, sourceLocation: SourceLocation = #_sourceLocation) async {
        let before = head
        await #expect(throws: expected, sourceLocation: sourceLocation) { try await self.run(command) }
        #expect(head == before, "a refused \(C.commandType) wrote events", sourceLocation: sourceLocation)
    }
}
