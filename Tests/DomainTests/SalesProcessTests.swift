import Domain
import Foundation
import Testing

struct SalesProcessTests {
    @Test func defineRecordsVersionOneWithItsStages() async throws {
        let fixture = try DomainFixture()
        try await fixture.defineSalesProcess("standard", allowsSkipping: true)

        let events = try fixture.salesEvents(SalesProcess.stream("standard"))
        #expect(events.map(\.eventType) == ["SalesProcessDefined"])
        let defined = try #require(events.first as? SalesProcessDefined)
        #expect(defined.processId == "standard")
        #expect(defined.name == "Standard B2B")
        #expect(defined.version == 1)
        #expect(defined.stages == Sales.stages)
        #expect(defined.allowsSkipping)
        #expect(defined.occurredAt == fixture.now)
    }

    @Test func eachRevisionIncrementsTheVersion() async throws {
        let fixture = try DomainFixture()
        try await fixture.defineSalesProcess()
        var stages = Sales.stages
        stages.insert(SalesStage(name: "discovery", winProbability: 15, requiredFields: ["painPoint"]), at: 1)

        try await fixture.run(ReviseSalesProcess(processId: "standard", stages: stages, allowsSkipping: false, reason: "add discovery"))
        let second = try fixture.salesLast(SalesProcessRevised.self, in: SalesProcess.stream("standard"))
        #expect(second.version == 2)
        #expect(second.stages.map(\.name) == ["prospecting", "discovery", "qualification", "proposal", "negotiation", "commit"])
        #expect(second.name == "Standard B2B")
        #expect(second.reason == "add discovery")

        try await fixture.run(ReviseSalesProcess(processId: "standard", name: "Standard B2B 2026", stages: stages, allowsSkipping: true))
        let third = try fixture.salesLast(SalesProcessRevised.self, in: SalesProcess.stream("standard"))
        #expect(third.version == 3)
        #expect(third.name == "Standard B2B 2026")
        #expect(third.allowsSkipping)

        let outcome = try await fixture.run(ReviseSalesProcess(processId: "standard", stages: stages, allowsSkipping: true))
        #expect(outcome.eventTypes.isEmpty, "an identical revision is not a new version")
        #expect(try fixture.types(of: SalesProcess.stream("standard")) == ["SalesProcessDefined", "SalesProcessRevised", "SalesProcessRevised"])
    }

    @Test func stagesMustBeWellFormed() async throws {
        let fixture = try DomainFixture()
        await fixture.expectSalesRefusal(
            DefineSalesProcess(processId: "p", name: "P", stages: []),
            .invalid(field: "stages", reason: "at least one stage is required"))
        await fixture.expectSalesRefusal(
            DefineSalesProcess(processId: "p", name: "P", stages: [SalesStage(name: "a", winProbability: 10), SalesStage(name: "b", winProbability: 101)]),
            .invalid(field: "stages[1].winProbability", reason: "must be between 0 and 100"))
        await fixture.expectSalesRefusal(
            DefineSalesProcess(processId: "p", name: "P", stages: [SalesStage(name: "a", winProbability: -1)]),
            .invalid(field: "stages[0].winProbability", reason: "must be between 0 and 100"))
        await fixture.expectSalesRefusal(
            DefineSalesProcess(processId: "p", name: "P", stages: [SalesStage(name: "Demo", winProbability: 10), SalesStage(name: "demo", winProbability: 20)]),
            .invalid(field: "stages[1].name", reason: "'demo' appears twice"))
        await fixture.expectSalesRefusal(
            DefineSalesProcess(processId: "p", name: "P", stages: [SalesStage(name: "a", winProbability: 10, requiredFields: ["decision maker"])]),
            .invalid(field: "stages[0].requiredFields", reason: "'decision maker' is not a valid id (letters, digits, '-', '_', '.')"))
    }

    @Test func definingAnExistingProcessIsRefused() async throws {
        let fixture = try DomainFixture()
        try await fixture.defineSalesProcess()
        await fixture.expectSalesRefusal(
            DefineSalesProcess(processId: "standard", name: "Again", stages: Sales.stages),
            .alreadyExists(kind: "salesProcess", id: "standard"))
    }

    @Test func revisingAnUnknownProcessIsNotFound() async throws {
        let fixture = try DomainFixture()
        await fixture.expectSalesRefusal(
            ReviseSalesProcess(processId: "ghost", stages: Sales.stages, allowsSkipping: false),
            .notFound(kind: "salesProcess", id: "ghost"))
    }
}
