import EventStore
import Foundation
import Server
import Testing

/// `crm serve --demo` loading the committed sample company.
struct DemoImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The expected number of events after importing the sample (written by the simulator's test).
    static func expectedEvents() throws -> Int {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("sample-counts.json"))
        struct Counts: Decodable { var eventTypes: [String: Int] }
        return try JSONDecoder().decode(Counts.self, from: data).eventTypes.values.reduce(0, +)
    }

    @Test func aFreshLogGetsTheWholeSampleOnceAndARestartWritesNothing() async throws {
        let demo = DemoImport(path: Self.fixtures.appendingPathComponent("sample-commands.ndjson").path)
        let expected = try Self.expectedEvents()
        try await withStore { store, _ in
            let first = try await demo.importIfFresh(into: store, logger: quietLogger)
            #expect(first.skipped == nil)
            #expect(first.appended == expected)
            let head = try store.head()
            #expect(head.position == UInt64(expected))

            let second = try await demo.importIfFresh(into: store, logger: quietLogger)
            #expect(second.appended == 0)
            #expect(second.alreadyImported > 0)
            #expect(try store.head() == head)
            #expect(try store.verify().isIntact)
            #expect(try store.statistics().actors >= 12)
        }
    }

    @Test func aLogWithOtherDataIsLeftAlone() async throws {
        let demo = DemoImport(path: Self.fixtures.appendingPathComponent("sample-commands.ndjson").path)
        try await withStore { store, _ in
            try await store.append("customer-x", [ProposedEvent(type: "Other", data: Array("{}".utf8))], expected: .any,
                                   metadata: AppendMetadata(actor: Actor(id: "a", role: "admin"), source: .local()))
            let outcome = try await demo.importIfFresh(into: store, logger: quietLogger)
            #expect(outcome.skipped != nil)
            #expect(try store.head().position == 1)
        }
    }

    @Test func aMissingSampleIsAClearError() async throws {
        let demo = DemoImport(path: "/nonexistent/sample.ndjson")
        try await withStore { store, _ in
            await #expect(throws: (any Error).self) { try await demo.importIfFresh(into: store, logger: quietLogger) }
            let position = try store.head().position
            #expect(position == 0)
        }
    }
}
