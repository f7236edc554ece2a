import Domain
import EventStore
import Foundation
import Testing

/// Runs `command`, expects exactly `error`, and checks that nothing was written.
private func expectRefused<C: DomainCommand>(_ f: DomainFixture, _ command: C, _ error: DomainError,
                                             sourceLocation: SourceLocation = #_sourceLocation) async {
    let head = f.head
    await #expect(throws: error, sourceLocation: sourceLocation) { try await f.run(command) }
    #expect(f.head == head, sourceLocation: sourceLocation)
}

private func decode(_ f: DomainFixture, _ stream: String) throws -> [any DomainEvent] {
    try f.store.readStream(stream).map { try f.handler.registry.decode($0) }
}

@Suite("Teams")
struct TeamTests {
    @Test("defining a team records its name and region on team-<id>")
    func define() async throws {
        let f = try DomainFixture()
        try await f.run(DefineTeam(teamId: "north", name: " Team North ", region: "north"))
        let event = try #require(try decode(f, "team-north").first as? TeamDefined)
        #expect(event.teamId == "north")
        #expect(event.name == "Team North")
        #expect(event.region == "north")
        #expect(event.occurredAt == f.now)
    }

    @Test("assigning records the team and the team left; the same team again changes nothing")
    func assign() async throws {
        let f = try DomainFixture()
        try await f.run(DefineTeam(teamId: "north", name: "Team North", region: "north"))
        try await f.run(DefineTeam(teamId: "south", name: "Team South", region: "south"))
        try await f.run(AssignManagerToTeam(teamId: "north", managerId: "anna.keller"))
        try await f.run(AssignManagerToTeam(teamId: "south", managerId: "anna.keller"))
        let events = try decode(f, "teammember-anna.keller").compactMap { $0 as? TeamMemberAssigned }
        #expect(events.map(\.teamId) == ["north", "south"])
        #expect(events.map(\.previousTeamId) == [nil, "north"])
        #expect(events.allSatisfy { $0.managerId == "anna.keller" })
        let head = f.head
        let outcome = try await f.run(AssignManagerToTeam(teamId: "south", managerId: "anna.keller"))
        #expect(outcome.eventTypes.isEmpty)
        #expect(f.head == head)
    }

    @Test("a team is defined once")
    func duplicateDefinition() async throws {
        let f = try DomainFixture()
        try await f.run(DefineTeam(teamId: "north", name: "Team North", region: "north"))
        await expectRefused(f, DefineTeam(teamId: "north", name: "Team North again", region: "north"), .alreadyExists(kind: "team", id: "north"))
    }

    @Test("a manager joins only a defined team")
    func unknownTeam() async throws {
        let f = try DomainFixture()
        await expectRefused(f, AssignManagerToTeam(teamId: "east", managerId: "anna.keller"), .notFound(kind: "team", id: "east"))
    }

    @Test("ids, name and region are validated")
    func validation() async throws {
        let f = try DomainFixture()
        await expectRefused(f, DefineTeam(teamId: "north", name: "  ", region: "north"), .invalid(field: "name", reason: "must not be empty"))
        await expectRefused(f, DefineTeam(teamId: "north", name: "Team North", region: "far north"),
                            .invalid(field: "region", reason: "'far north' is not a valid id (letters, digits, '-', '_', '.')"))
        try await f.run(DefineTeam(teamId: "north", name: "Team North", region: "north"))
        await expectRefused(f, AssignManagerToTeam(teamId: "north", managerId: "anna keller"),
                            .invalid(field: "managerId", reason: "'anna keller' is not a valid id (letters, digits, '-', '_', '.')"))
    }

    @Test("the simulator defines its teams and their managers before anything else happens to them")
    func simulated() throws {
        let settings = SimulationSettings(customers: 20, years: 1, seed: 5)
        var records: [CommandRecord] = []
        try CompanySimulator().generate(settings) { records.append($0) }
        let defined = records.compactMap { record -> DefineTeam? in
            if case .single(let command) = record.command { return command as? DefineTeam } else { return nil }
        }
        #expect(defined.map(\.region) == settings.teams.map(\.region))
        #expect(defined.map(\.name) == settings.teams.map(\.name))
        let assigned = records.compactMap { record -> AssignManagerToTeam? in
            if case .single(let command) = record.command { return command as? AssignManagerToTeam } else { return nil }
        }
        #expect(assigned.map(\.managerId) == settings.teams.flatMap(\.managers))
        let teamOf = Dictionary(uniqueKeysWithValues: assigned.map { ($0.managerId, $0.teamId) })
        for (team, definition) in zip(settings.teams, defined) {
            #expect(team.managers.allSatisfy { teamOf[$0] == definition.teamId })
        }
        // The first customer command comes after the last assignment.
        let lastAssignment = try #require(records.lastIndex { $0.command.type == AssignManagerToTeam.commandType })
        let firstCustomer = try #require(records.firstIndex { $0.command.type == "RegisterCustomer" })
        #expect(lastAssignment < firstCustomer)
    }
}
