import Domain
import EventStore
import Foundation
import PropertyBased
import Testing

/// Aggregates held in memory, decided and folded exactly as the handler does, so that thousands
/// of random command sequences run in a second.
private final class MemoryDomain: AggregateLoader {
    var states: [String: any Aggregate] = [:]
    var now = Date(timeIntervalSince1970: 1_767_225_600)

    func load<A: Aggregate>(_ type: A.Type, id: String) throws -> (state: A, version: UInt64) {
        guard let state = states[A.stream(id)] as? A else { return (A(), 0) }
        return (state, 1)
    }

    /// Decides and applies; returns the events, or nil when the command was refused.
    @discardableResult
    func run<C: DomainCommand>(_ command: C) -> [any DomainEvent]? {
        let context: DecisionContext
        do { context = try DecisionContext(now: now).resolving(command.references, with: self) } catch { return nil }
        let (state, _) = try! load(C.Target.self, id: command.targetId)
        guard let events = try? command.decide(state, context) else { return nil }
        states[C.Target.stream(command.targetId)] = state.applying(events)
        return events
    }

    func state<A: Aggregate>(_ type: A.Type, _ id: String) -> A { try! load(A.self, id: id).state }
}

@Suite("Invariants under random command sequences")
struct InvariantPropertyTests {
    static let stages = [
        SalesStage(name: "qualify", winProbability: 10),
        SalesStage(name: "develop", winProbability: 30),
        SalesStage(name: "propose", winProbability: 60, requiredFields: ["budget"]),
        SalesStage(name: "negotiate", winProbability: 80, requiredFields: ["decisionMaker"]),
    ]

    /// A customer pair, a process, an opportunity and an invoice, ready for random commands.
    private func world() throws -> MemoryDomain {
        let domain = MemoryDomain()
        let eur = try Money("100.00", "EUR")
        #expect(domain.run(RegisterCustomer(customerId: "c1", kind: .person, name: "Ada", channel: .phone)) != nil)
        #expect(domain.run(RegisterCustomer(customerId: "c2", kind: .person, name: "Ada L", channel: .phone)) != nil)
        #expect(domain.run(DefineSalesProcess(processId: "p", name: "Standard", stages: Self.stages, allowsSkipping: false)) != nil)
        #expect(domain.run(OpenOpportunity(opportunityId: "o1", customerId: "c1", processId: "p", title: "Deal", cycleKind: .newBusiness,
                                           amount: eur, expectedCloseDate: domain.now.addingTimeInterval(86_400 * 60), ownerId: "m1")) != nil)
        #expect(domain.run(IssueInvoice(invoiceId: "i1", customerId: "c1", total: eur, issueDate: domain.now, dueDate: domain.now.addingTimeInterval(86_400 * 30))) != nil)
        return domain
    }

    /// One random step chosen by `code`: the operation is `code % 12`, its parameter `code / 12`.
    private func step(_ code: Int, in domain: MemoryDomain) throws -> [any DomainEvent]? {
        let parameter = code / 12
        let stageName = Self.stages[parameter % Self.stages.count].name
        switch code % 12 {
        case 0: return domain.run(MoveOpportunityStage(opportunityId: "o1", toStage: stageName, reason: parameter % 2 == 0 ? "customer asked" : nil))
        case 1: return domain.run(MoveOpportunityStage(opportunityId: "o1", toStage: parameter % 5 == 0 ? "nonexistent" : stageName, reason: "r"))
        case 2: return domain.run(SetOpportunityFields(opportunityId: "o1", fields: [parameter % 2 == 0 ? "budget" : "decisionMaker": "yes"]))
        case 3: return domain.run(WinOpportunity(opportunityId: "o1", amount: try Money(minorUnits: Int64(parameter * 1000), currency: "EUR"), productIds: ["p1"]))
        case 4: return domain.run(LoseOpportunity(opportunityId: "o1", reason: "price", competitor: "Rival"))
        case 5: return domain.run(ReopenOpportunity(opportunityId: "o1", reason: parameter % 3 == 0 ? "" : "came back"))
        case 6: return domain.run(ChangeOpportunityAmount(opportunityId: "o1", amount: try Money(minorUnits: Int64(parameter * 500), currency: parameter % 4 == 0 ? "USD" : "EUR")))
        case 7: return domain.run(RecordPayment(invoiceId: "i1", paymentId: "pay\(parameter)", amount: try Money(minorUnits: Int64(parameter * 700), currency: "EUR"),
                                                method: .bankTransfer, overpayment: parameter % 3 == 0 ? true : nil))
        case 8: return domain.run(MarkInvoiceOverdue(invoiceId: "i1"))
        case 9: return domain.run(WriteOffInvoice(invoiceId: "i1", reason: "uncollectable"))
        case 10:
            domain.now = domain.now.addingTimeInterval(Double(parameter) * 86_400)
            return []
        default:
            let merge = MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "duplicate")
            let (survivor, absorbed) = (domain.state(Customer.self, "c1"), domain.state(Customer.self, "c2"))
            guard let events = try? merge.decide(survivor: survivor, absorbed: absorbed, DecisionContext(now: domain.now)) else { return nil }
            domain.states[Customer.stream("c1")] = survivor.applying(events.survivor)
            domain.states[Customer.stream("c2")] = absorbed.applying(events.absorbed)
            return events.survivor + events.absorbed
        }
    }

    @Test("every state reached by a random valid command sequence satisfies the domain's invariants")
    func randomSequences() async throws {
        await propertyCheck(count: 300, input: Gen.int(in: 0...(12 * 40 - 1)).array(of: 1...80)) { codes in
            do {
                let domain = try world()
                for code in codes {
                    let before = (opportunity: domain.state(Opportunity.self, "o1"), invoice: domain.state(Invoice.self, "i1"))
                    let events = try step(code, in: domain)
                    let opportunity = domain.state(Opportunity.self, "o1")
                    let invoice = domain.state(Invoice.self, "i1")
                    // A refused command changes nothing.
                    if events == nil {
                        #expect(opportunity == before.opportunity)
                        #expect(invoice == before.invoice)
                    }
                    // The stage is always one the process knows, and its required fields are present.
                    let stage = try #require(Self.stages.first { $0.name == opportunity.stage })
                    for field in stage.requiredFields { #expect(opportunity.fields[field] != nil, "entered \(stage.name) without \(field)") }
                    // A closed deal's stage and amount move only after it was reopened.
                    if before.opportunity.status != .open, opportunity.status == before.opportunity.status {
                        #expect(opportunity.stage == before.opportunity.stage)
                        #expect(opportunity.amount == before.opportunity.amount)
                    }
                    #expect(opportunity.amount.currency == "EUR")
                    // Money never goes negative and the books balance.
                    #expect(invoice.outstanding.minorUnits >= 0)
                    #expect(invoice.outstanding.minorUnits <= invoice.total.minorUnits)
                    if invoice.status == .open {
                        #expect(invoice.outstanding.minorUnits == invoice.total.minorUnits - min(invoice.paid.minorUnits, invoice.total.minorUnits))
                    } else {
                        #expect(invoice.outstanding.minorUnits == 0)
                    }
                    // An absorbed customer accepts no command.
                    if domain.state(Customer.self, "c2").mergedInto != nil {
                        #expect(domain.run(TagCustomer(customerId: "c2", tag: "x")) == nil)
                    }
                }
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }
}
