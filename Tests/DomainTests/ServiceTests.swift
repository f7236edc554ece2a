import Domain
import EventStore
import Foundation
import Testing

@Suite("Service cases")
struct ServiceCaseTests {
    let minute: TimeInterval = 60
    let hour: TimeInterval = 3_600

    func decode(_ fixture: DomainFixture, _ stream: String) throws -> [any DomainEvent] {
        try fixture.store.readStream(stream).map { try fixture.handler.registry.decode($0) }
    }

    func open(_ id: String = "k1", customerId: String = "c1", priority: CasePriority = .high, complaint: Bool = false) -> OpenCase {
        OpenCase(caseId: id, customerId: customerId, channel: .call, category: .delivery, priority: priority, isComplaint: complaint,
                 subject: "Parcel not delivered", description: "Ordered on Monday, nothing arrived.")
    }

    /// Registers customer `c1` and opens a high-priority case `k1` for it.
    func opened() async throws -> DomainFixture {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.run(open())
        return f
    }

    /// Resolves and closes `k1`.
    func close(_ f: DomainFixture) async throws {
        try await f.run(ResolveCase(caseId: "k1", resolution: "Redelivered"))
        try await f.run(CloseCase(caseId: "k1"))
    }

    /// Runs `command`, expects exactly `error`, and checks that nothing was written.
    func expectRefused<C: DomainCommand>(_ f: DomainFixture, _ command: C, _ error: DomainError,
                                         sourceLocation: SourceLocation = #_sourceLocation) async {
        let head = f.head
        await #expect(throws: error, sourceLocation: sourceLocation) { try await f.run(command) }
        #expect(f.head == head, sourceLocation: sourceLocation)
    }

    // MARK: Commands

    @Test("opening records the case and the SLA due times of its priority")
    func openCase() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.run(open(complaint: true))
        #expect(try f.types(of: "case-k1") == ["CaseOpened"])
        let event = try #require(try decode(f, "case-k1").first as? CaseOpened)
        #expect(event.customerId == "c1")
        #expect(event.channel == .call)
        #expect(event.category == .delivery)
        #expect(event.priority == .high)
        #expect(event.isComplaint)
        #expect(event.subject == "Parcel not delivered")
        #expect(event.description == "Ordered on Monday, nothing arrived.")
        #expect(event.firstResponseDueAt == f.now + 2 * hour)
        #expect(event.resolutionDueAt == f.now + 24 * hour)
        #expect(event.occurredAt == f.now)
    }

    @Test("the SLA targets come from the context's configuration")
    func slaFromConfiguration() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        var configuration = DomainConfiguration.standard
        configuration.serviceLevels[.urgent] = .init(firstResponseMinutes: 5, resolutionMinutes: 45)
        try await f.handler.execute(open(priority: .urgent), context: DecisionContext(now: f.now, configuration: configuration), metadata: f.metadata)
        let event = try #require(try decode(f, "case-k1").first as? CaseOpened)
        #expect(event.firstResponseDueAt == f.now + 5 * minute)
        #expect(event.resolutionDueAt == f.now + 45 * minute)

        configuration.serviceLevels[.low] = nil
        let head = f.head
        await #expect(throws: DomainError.invalid(field: "priority", reason: "no service level is configured for low")) {
            try await f.handler.execute(open("k2", priority: .low), context: DecisionContext(now: f.now, configuration: configuration), metadata: f.metadata)
        }
        #expect(f.head == head)
    }

    @Test("assigning records the agent; a reassignment records the previous one; the same agent changes nothing")
    func assign() async throws {
        let f = try await opened()
        try await f.run(AssignCase(caseId: "k1", agentId: "agent-li"))
        try await f.run(AssignCase(caseId: "k1", agentId: "agent-wang"))
        let head = f.head
        #expect(try await f.run(AssignCase(caseId: "k1", agentId: "agent-wang")).eventTypes.isEmpty)
        #expect(f.head == head)
        let events = try decode(f, "case-k1")
        #expect(events.map(\.eventType) == ["CaseOpened", "CaseAssigned", "CaseAssigned"])
        let first = try #require(events[1] as? CaseAssigned)
        #expect(first.agentId == "agent-li")
        #expect(first.previousAgentId == nil)
        let second = try #require(events[2] as? CaseAssigned)
        #expect(second.agentId == "agent-wang")
        #expect(second.previousAgentId == "agent-li")
        #expect(second.customerId == "c1")
    }

    @Test("a first response within the target is not a breach, and defaults to the assigned agent")
    func firstResponseInTime() async throws {
        let f = try await opened()
        try await f.run(AssignCase(caseId: "k1", agentId: "agent-li"))
        f.now += 90 * minute
        try await f.run(RecordFirstResponse(caseId: "k1"))
        let event = try #require(try decode(f, "case-k1").last as? CaseFirstResponded)
        #expect(event.agentId == "agent-li")
        #expect(event.breached == false)
        #expect(event.minutesToRespond == 90)
        #expect(event.dueAt == f.now - 90 * minute + 2 * hour)
        #expect(event.occurredAt == f.now)
    }

    @Test("a first response after the target records the breach")
    func firstResponseLate() async throws {
        let f = try await opened()
        f.now += 2 * hour + minute
        try await f.run(RecordFirstResponse(caseId: "k1", agentId: "agent-zhao"))
        let event = try #require(try decode(f, "case-k1").last as? CaseFirstResponded)
        #expect(event.agentId == "agent-zhao")
        #expect(event.breached)
        #expect(event.minutesToRespond == 121)
    }

    @Test("escalating records the new level, the previous one and the reason")
    func escalate() async throws {
        let f = try await opened()
        try await f.run(EscalateCase(caseId: "k1", level: 1, reason: "needs a specialist"))
        try await f.run(EscalateCase(caseId: "k1", level: 3, reason: "customer threatens to leave"))
        let events = try decode(f, "case-k1")
        #expect(events.map(\.eventType) == ["CaseOpened", "CaseEscalated", "CaseEscalated"])
        let last = try #require(events[2] as? CaseEscalated)
        #expect(last.level == 3)
        #expect(last.previousLevel == 1)
        #expect(last.reason == "customer threatens to leave")
    }

    @Test("status moves between working states; setting the current one changes nothing")
    func changeStatus() async throws {
        let f = try await opened()
        try await f.run(ChangeCaseStatus(caseId: "k1", status: .inProgress))
        try await f.run(ChangeCaseStatus(caseId: "k1", status: .waitingOnCustomer))
        #expect(try await f.run(ChangeCaseStatus(caseId: "k1", status: .waitingOnCustomer)).eventTypes.isEmpty)
        let events = try decode(f, "case-k1")
        #expect(events.map(\.eventType) == ["CaseOpened", "CaseStatusChanged", "CaseStatusChanged"])
        let last = try #require(events[2] as? CaseStatusChanged)
        #expect(last.from == .inProgress)
        #expect(last.to == .waitingOnCustomer)
    }

    @Test("resolving in time is not a breach; late it is")
    func resolve() async throws {
        let f = try await opened()
        try await f.run(AssignCase(caseId: "k1", agentId: "agent-li"))
        f.now += 5 * hour
        try await f.run(ResolveCase(caseId: "k1", resolution: "Redelivered by courier"))
        let inTime = try #require(try decode(f, "case-k1").last as? CaseResolved)
        #expect(inTime.resolution == "Redelivered by courier")
        #expect(inTime.agentId == "agent-li")
        #expect(inTime.breached == false)
        #expect(inTime.minutesToResolve == 300)
        #expect(inTime.dueAt == f.now - 5 * hour + 24 * hour)

        try await f.run(open("k2"))
        f.now += 25 * hour
        try await f.run(ResolveCase(caseId: "k2", resolution: "Refunded"))
        let late = try #require(try decode(f, "case-k2").last as? CaseResolved)
        #expect(late.breached)
        #expect(late.agentId == nil)
    }

    @Test("reopening a resolved case lets it be resolved again, measured against the original target")
    func reopenResolved() async throws {
        let f = try await opened()
        try await f.run(ResolveCase(caseId: "k1", resolution: "Redelivered"))
        f.now += 30 * hour
        try await f.run(ReopenCase(caseId: "k1", reason: "Parcel damaged"))
        let reopened = try #require(try decode(f, "case-k1").last as? CaseReopened)
        #expect(reopened.reason == "Parcel damaged")
        try await f.run(ResolveCase(caseId: "k1", resolution: "Replaced"))
        let events = try decode(f, "case-k1")
        #expect(events.map(\.eventType) == ["CaseOpened", "CaseResolved", "CaseReopened", "CaseResolved"])
        #expect((events[3] as? CaseResolved)?.breached == true)
    }

    @Test("closing a resolved case records it; a closed case can be reopened")
    func closeAndReopen() async throws {
        let f = try await opened()
        try await close(f)
        #expect(try f.types(of: "case-k1") == ["CaseOpened", "CaseResolved", "CaseClosed"])
        let closed = try #require(try decode(f, "case-k1").last as? CaseClosed)
        #expect(closed.customerId == "c1")
        try await f.run(ReopenCase(caseId: "k1", reason: "Same fault again"))
        try await f.run(EscalateCase(caseId: "k1", level: 1, reason: "repeat fault"))
        #expect(try f.types(of: "case-k1") == ["CaseOpened", "CaseResolved", "CaseClosed", "CaseReopened", "CaseEscalated"])
    }

    // MARK: Invariants

    @Test("a closed case cannot be escalated")
    func closedCannotBeEscalated() async throws {
        let f = try await opened()
        try await close(f)
        await expectRefused(f, EscalateCase(caseId: "k1", level: 1, reason: "angry"),
                            .ruleViolated(rule: "case-closed", detail: "case k1 is closed; only ReopenCase is accepted"))
    }

    @Test("a closed case accepts only reopening")
    func closedAcceptsOnlyReopen() async throws {
        let f = try await opened()
        try await close(f)
        let closed = DomainError.ruleViolated(rule: "case-closed", detail: "case k1 is closed; only ReopenCase is accepted")
        await expectRefused(f, AssignCase(caseId: "k1", agentId: "agent-li"), closed)
        await expectRefused(f, RecordFirstResponse(caseId: "k1"), closed)
        await expectRefused(f, ChangeCaseStatus(caseId: "k1", status: .inProgress), closed)
        await expectRefused(f, ResolveCase(caseId: "k1", resolution: "again"), closed)
        await expectRefused(f, CloseCase(caseId: "k1"), closed)
    }

    @Test("a case cannot be resolved twice without reopening")
    func resolveTwice() async throws {
        let f = try await opened()
        try await f.run(ResolveCase(caseId: "k1", resolution: "Redelivered"))
        await expectRefused(f, ResolveCase(caseId: "k1", resolution: "Again"),
                            .ruleViolated(rule: "case-already-resolved", detail: "case k1 is already resolved; reopen it first"))
    }

    @Test("the first response is recorded only once")
    func firstResponseOnce() async throws {
        let f = try await opened()
        try await f.run(RecordFirstResponse(caseId: "k1", agentId: "agent-li"))
        await expectRefused(f, RecordFirstResponse(caseId: "k1", agentId: "agent-li"),
                            .ruleViolated(rule: "first-response-already-recorded", detail: "case k1 already has its first response"))
    }

    @Test("escalation must go up, within 1–5, and not on a resolved case")
    func escalationRules() async throws {
        let f = try await opened()
        try await f.run(EscalateCase(caseId: "k1", level: 2, reason: "specialist"))
        await expectRefused(f, EscalateCase(caseId: "k1", level: 2, reason: "again"),
                            .ruleViolated(rule: "escalation-not-higher", detail: "case k1 is already at level 2"))
        await expectRefused(f, EscalateCase(caseId: "k1", level: 6, reason: "board"), .invalid(field: "level", reason: "must be between 1 and 5"))
        try await f.run(ResolveCase(caseId: "k1", resolution: "Fixed"))
        await expectRefused(f, EscalateCase(caseId: "k1", level: 3, reason: "late"),
                            .ruleViolated(rule: "case-resolved", detail: "case k1 is resolved; reopen it first"))
    }

    @Test("status changes only between working states, and not on a resolved case")
    func statusRules() async throws {
        let f = try await opened()
        await expectRefused(f, ChangeCaseStatus(caseId: "k1", status: .resolved),
                            .invalid(field: "status", reason: "resolved is set by ResolveCase or CloseCase"))
        try await f.run(ResolveCase(caseId: "k1", resolution: "Fixed"))
        await expectRefused(f, ChangeCaseStatus(caseId: "k1", status: .inProgress),
                            .ruleViolated(rule: "case-resolved", detail: "case k1 is resolved; reopen it first"))
    }

    @Test("only a resolved case can be closed, and only a resolved or closed one reopened")
    func closeAndReopenNeedResolution() async throws {
        let f = try await opened()
        try await f.run(ChangeCaseStatus(caseId: "k1", status: .inProgress))
        await expectRefused(f, CloseCase(caseId: "k1"),
                            .ruleViolated(rule: "case-not-resolved", detail: "case k1 is inProgress; resolve it before closing"))
        await expectRefused(f, ReopenCase(caseId: "k1", reason: "why"),
                            .ruleViolated(rule: "case-not-resolved", detail: "case k1 is inProgress; only a resolved or closed case can be reopened"))
    }

    @Test("a case id is opened once")
    func openTwice() async throws {
        let f = try await opened()
        await expectRefused(f, open(), .alreadyExists(kind: "case", id: "k1"))
    }

    @Test("commands on an unknown case or for an unknown customer are not found")
    func unknownIds() async throws {
        let f = try DomainFixture()
        let missing = DomainError.notFound(kind: "case", id: "nope")
        await expectRefused(f, AssignCase(caseId: "nope", agentId: "a"), missing)
        await expectRefused(f, RecordFirstResponse(caseId: "nope"), missing)
        await expectRefused(f, EscalateCase(caseId: "nope", level: 1, reason: "x"), missing)
        await expectRefused(f, ChangeCaseStatus(caseId: "nope", status: .inProgress), missing)
        await expectRefused(f, ResolveCase(caseId: "nope", resolution: "x"), missing)
        await expectRefused(f, ReopenCase(caseId: "nope", reason: "x"), missing)
        await expectRefused(f, CloseCase(caseId: "nope"), missing)
        await expectRefused(f, open(customerId: "ghost"), .notFound(kind: "customer", id: "ghost"))
    }

    @Test("a case for a merged customer is refused naming the survivor")
    func mergedCustomer() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.register("c2")
        try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "duplicate"), context: f.context, metadata: f.metadata)
        await expectRefused(f, open(customerId: "c2"), .customerMerged(absorbed: "c2", survivor: "c1"))
    }

    @Test("the domain registry knows every case event")
    func registry() {
        for type in ServiceCase.eventTypes { #expect(EventRegistry.domain.knows(type.eventType)) }
    }
}
