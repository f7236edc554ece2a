import EventStore
import Foundation
import Server
import Testing

/// Importing `Fixtures/demo-events.ndjson`.
struct DemoImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/demo-events.ndjson").path

    /// The first `count` lines of the fixture file, written to `directory`.
    func prefix(_ count: Int, in directory: String) throws -> String {
        let text = try String(contentsOfFile: Self.fixtures, encoding: .utf8)
        let path = directory + "-prefix.ndjson"
        try (text.split(separator: "\n").prefix(count).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theFixtureIsRealisticAndSmall() throws {
        let demo = try DemoImport(contentsOf: Self.fixtures)
        #expect((1800...2600).contains(demo.count))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: Self.fixtures)[.size] as? Int)
        #expect(size < 2_000_000)
    }

    @Test func importIsIdempotent() async throws {
        let demo = try DemoImport(contentsOf: Self.fixtures)
        try await withStore { store, _ in
            let first = try await demo.importIfEmpty(into: store, logger: quietLogger)
            #expect(first == DemoImport.Outcome(events: demo.count, appended: demo.count, alreadyStored: 0, skipped: nil))
            let head = try store.head()
            #expect(head.position == UInt64(demo.count))
            // Positions follow the file: line N is event N, with its derived id.
            #expect(try store.event(at: 1)?.id == DemoImport.eventId(line: 1))
            #expect(try store.event(at: head.position)?.id == DemoImport.eventId(line: demo.count))

            let second = try await demo.importIfEmpty(into: store, logger: quietLogger)
            #expect(second.appended == 0)
            #expect(second.skipped != nil)
            // Even a forced re-run writes nothing.
            let forced = try await demo.run(into: store, logger: quietLogger)
            #expect(forced == DemoImport.Outcome(events: demo.count, appended: 0, alreadyStored: demo.count, skipped: nil))
            #expect(try store.head() == head)
            #expect(try store.verify().isIntact)

            let stats = try store.statistics()
            #expect(stats.streams > 500)
            #expect(stats.actors >= 12)
        }
    }

    @Test func anInterruptedImportIsCompleted() async throws {
        try await withTemporaryDirectory { directory in
            let partial = try DemoImport(contentsOf: try prefix(120, in: directory))
            let full = try DemoImport(contentsOf: try prefix(300, in: directory + "-full"))
            defer {
                try? FileManager.default.removeItem(atPath: directory + "-prefix.ndjson")
                try? FileManager.default.removeItem(atPath: directory + "-full-prefix.ndjson")
            }
            try await withStore { store, _ in
                _ = try await partial.importIfEmpty(into: store, logger: quietLogger)
                #expect(try store.head().position == 120)
                let completed = try await full.importIfEmpty(into: store, logger: quietLogger)
                #expect(completed.appended + completed.alreadyStored == 300)
                #expect(completed.appended == 180)
                #expect(try store.head().position == 300)
                #expect(try store.event(at: 300)?.id == DemoImport.eventId(line: 300))
            }
        }
    }

    @Test func aLogWithOtherEventsIsLeftAlone() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { directory in
            let demo = try DemoImport(contentsOf: try prefix(10, in: directory))
            defer { try? FileManager.default.removeItem(atPath: directory + "-prefix.ndjson") }
            try await withStore(clock: clock) { store, _ in
                try await seed(store, clock: clock)
                let outcome = try await demo.importIfEmpty(into: store, logger: quietLogger)
                #expect(outcome.appended == 0)
                #expect(outcome.skipped == "the log already holds other events")
                #expect(try store.head().position == 5)
            }
        }
    }

    @Test func demoEventsCarryTheirEnvelope() async throws {
        try await withTemporaryDirectory { directory in
            let demo = try DemoImport(contentsOf: try prefix(5, in: directory))
            defer { try? FileManager.default.removeItem(atPath: directory + "-prefix.ndjson") }
            try await withStore { store, _ in
                _ = try await demo.importIfEmpty(into: store, logger: quietLogger)
                let event = try #require(try store.event(at: 1))
                #expect(event.type == "CustomerRegistered")
                #expect(event.stream.hasPrefix("customer-"))
                #expect(event.actor.role == "manager")
                #expect(!event.source.clientAddress.isEmpty && !event.source.userAgent.isEmpty)
                let data = try #require(try JSONSerialization.jsonObject(with: Data(event.data)) as? [String: Any])
                #expect(data["customerId"] is String)
                #expect(data["occurredAt"] is String)
            }
        }
    }

    @Test func malformedLinesAreReportedWithTheirNumber() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + ".ndjson"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try "{\"stream\":\"s\",\"type\":\"T\",\"data\":{},\"actor\":{\"id\":\"a\",\"role\":\"r\"},\"source\":{\"clientAddress\":\"x\",\"userAgent\":\"y\",\"host\":\"z\"},\"reason\":null}\n\n{oops}\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                try DemoImport(contentsOf: path)
            } throws: { error in
                (error as? DemoImport.Failure)?.line == 3
            }
            #expect(throws: DemoImport.Failure.self) { try DemoImport(contentsOf: directory + "/missing.ndjson") }
        }
    }
}
