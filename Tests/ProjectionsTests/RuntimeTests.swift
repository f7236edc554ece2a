import Domain
import EventStore
import Foundation
import Projections
import Synchronization
import Testing

/// Counts events per type and per stream: the smallest projector that exercises every part of
/// the runtime.
struct CountingProjector: Projector {
    static let byType = ReadModelTable<Int>("byType")
    static let byStream = ReadModelTable<Int>("byStream")
    var name = "counting"
    var version = 1
    var tables: [String] { [Self.byType.name, Self.byStream.name] }
    var eventTypes: Set<String>? = nil
    /// Throw on this position (to test parking).
    var failAt: UInt64? = nil

    func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        if event.position == failAt { throw CountingFailure() }
        try batch.update(Self.byType, event.envelope.type, default: 0) { $0 += 1 }
        try batch.update(Self.byStream, event.envelope.stream, default: 0) { $0 += 1 }
    }
}

struct CountingFailure: Error {}

@Suite("Projection runtime")
struct RuntimeTests {
    static func bruteForce(_ events: [ProjectedEvent]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for event in events { counts[event.envelope.type, default: 0] += 1 }
        return counts
    }

    static func counts(_ reader: ReadModelReader) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        try reader.scan(CountingProjector.byType) { key, value in counts[key] = value; return true }
        return counts
    }

    @Test("catch-up folds every event exactly once and records the position it reflects")
    func catchUp() async throws {
        let log = try await CompanyLog(customers: 15, years: 1)
        let engine = try log.engine([CountingProjector()])
        try engine.catchUp()
        let (counts, position) = try engine.read("counting") { (try Self.counts($0), $0.position) }
        #expect(position == log.head)
        #expect(counts == Self.bruteForce(try log.events()))
        #expect(counts.values.reduce(0, +) == Int(log.head))
    }

    @Test("reopening resumes from the checkpoint: nothing applied twice")
    func resume() async throws {
        let log = try await CompanyLog(customers: 10, years: 1)
        let directory = "resume"
        do {
            let engine = try log.engine([CountingProjector()], name: directory)
            try engine.catchUp()
        }
        // More events after the first run.
        _ = try await log.store.append("extra-1", [ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8))], expected: .any,
                                       metadata: AppendMetadata(actor: Actor(id: "cti", role: "integrator"), source: Source(clientAddress: "10.0.0.9", userAgent: "cti", host: "pbx")))
        let engine = try log.engine([CountingProjector()], name: directory)
        try engine.catchUp()
        let counts = try engine.read("counting") { try Self.counts($0) }
        #expect(counts == Self.bruteForce(try log.events()))
        #expect(counts["IntegrationPing"] == 1)
    }

    @Test("live: a running projector follows appends, and waitUntil gives read-your-writes")
    func live() async throws {
        let log = try await CompanyLog(customers: 5, years: 1)
        let engine = try log.engine([CountingProjector()])
        let running = Task { await engine.run() }
        defer { running.cancel() }
        for i in 0..<20 {
            let result = try await log.store.append("live-\(i)", [ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8))], expected: .any,
                                                    metadata: AppendMetadata(actor: Actor(id: "cti", role: "integrator"), source: Source(clientAddress: "10.0.0.9", userAgent: "cti", host: "pbx")))
            let reached = try await engine.waitUntil("counting", reflects: result.positions.last!, timeout: .seconds(5))
            #expect(reached >= result.positions.last!)
            let pings = try engine.read("counting") { try $0.get(CountingProjector.byType, "IntegrationPing") }
            #expect(pings == i + 1)
        }
        let status = try engine.status(of: "counting")
        #expect(status.state == .live)
        #expect(status.lagEvents == 0)
    }

    @Test("a projector that throws is parked with the position and error; the others go on")
    func parking() async throws {
        let log = try await CompanyLog(customers: 5, years: 1)
        var failing = CountingProjector(failAt: 7)
        failing.name = "failing"
        let engine = try log.engine([failing, CountingProjector()])
        #expect(throws: ProjectionError.self) { try engine.catchUp() }
        let status = try engine.status(of: "failing")
        #expect(status.state == .parked)
        #expect(status.parked?.position == 7)
        #expect(try engine.read("failing") { $0.position } < 7)
        // The healthy projector beside it is unaffected.
        #expect(try engine.read("counting") { $0.position } == log.head)
        #expect(try engine.status(of: "counting").parked == nil)
    }

    @Test("rebuild of the same version: shadow from position 1, atomic swap, equal checksum")
    func rebuildSameVersion() async throws {
        let log = try await CompanyLog(customers: 10, years: 1)
        let engine = try log.engine([CountingProjector()])
        try engine.catchUp()
        let before = try engine.status(of: "counting")
        try engine.rebuild("counting")
        try engine.catchUp()
        let after = try engine.status(of: "counting")
        #expect(after.generation == before.generation + 1)
        #expect(after.lastRebuild?.checksumsMatch == true)
        #expect(after.checkpoint == log.head)
        #expect(try engine.read("counting") { try Self.counts($0) } == Self.bruteForce(try log.events()))
    }

    /// The server runs the engine as a service while a caller may run it too (the HTTP router
    /// tests did): two loops stepping one runner at once opened the same shadow generation twice
    /// ("already open in this process") and parked the projector.
    @Test("two loops on one engine rebuild without racing each other")
    func concurrentLoopsRebuild() async throws {
        let log = try await CompanyLog(customers: 10, years: 1)
        let engine = try log.engine([CountingProjector()])
        let loops = (0..<3).map { _ in Task { await engine.run() } }
        defer { loops.forEach { $0.cancel() } }
        _ = try await engine.waitUntil("counting", reflects: log.head, timeout: .seconds(10))
        for round in 1...8 {
            let generation = try engine.status(of: "counting").generation
            try engine.rebuild("counting")
            for _ in 0..<500 where try engine.status(of: "counting").generation == generation {
                try await Task.sleep(for: .milliseconds(10))
            }
            let status = try engine.status(of: "counting")
            #expect(status.parked == nil, "round \(round): \(String(describing: status.parked))")
            #expect(status.generation == generation + 1, "round \(round)")
            #expect(status.lastRebuild?.checksumsMatch == true, "round \(round)")
        }
        #expect(try engine.read("counting") { try Self.counts($0) } == Self.bruteForce(try log.events()))
    }

    /// A rebuild asked for while the loop was between a step that found nothing to do and its
    /// sleep was lost: the loop read the wake-up count after the request had raised it, so it
    /// slept on until the next event. One loop, nothing appended, each rebuild asked for at a spread
    /// of moments after the previous one swapped in, when the loop goes idle.
    @Test("a rebuild asked for as the only loop goes idle is not slept through")
    func rebuildAsLoopGoesIdle() async throws {
        let log = try await CompanyLog(customers: 3, years: 1)
        let engine = try log.engine([CountingProjector()])
        let loop = Task { await engine.run() }
        defer { loop.cancel() }
        _ = try await engine.waitUntil("counting", reflects: log.head, timeout: .seconds(10))
        for round in 1...60 {
            // The previous swap's step is still ending when the new generation shows; ask at a
            // spread of moments after it so that some requests land as the loop goes idle.
            try await Task.sleep(for: .microseconds(20 * (round % 20)))
            let generation = try engine.status(of: "counting").generation
            try engine.rebuild("counting")
            // Generous: a loaded machine rebuilds slowly; a lost request never completes.
            let deadline = ContinuousClock.now + .seconds(20)
            while try engine.status(of: "counting").generation == generation, ContinuousClock.now < deadline {
                try await Task.sleep(for: .microseconds(200))
            }
            let status = try engine.status(of: "counting")
            try #require(status.generation == generation + 1, "round \(round): the rebuild was not picked up: \(status)")
        }
    }

    /// A live projector moves past commits that carry none of its types without a step
    /// (`AppendedTypes`); it must still reflect their positions, and fold every event of its types
    /// however they are interleaved with the others, in one commit or apart.
    @Test("a live projector passes over other types' commits and still folds its own")
    func passesOverOtherTypes() async throws {
        let log = try await CompanyLog(customers: 3, years: 1)
        var pings = CountingProjector()
        pings.name = "pings"
        pings.eventTypes = ["IntegrationPing"]
        let engine = try log.engine([pings])
        let loop = Task { await engine.run() }
        defer { loop.cancel() }
        _ = try await engine.waitUntil("pings", reflects: log.head, timeout: .seconds(10))
        let metadata = AppendMetadata(actor: Actor(id: "cti", role: "integrator"), source: Source(clientAddress: "10.0.0.9", userAgent: "cti", host: "pbx"))
        func ping() -> ProposedEvent { ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8)) }
        func other() -> ProposedEvent { ProposedEvent(type: "IntegrationOther", data: Array("{}".utf8)) }
        var expected = 0
        for round in 0..<60 {
            let events: [ProposedEvent]
            switch round % 4 {
            case 0: events = [other()]
            case 1: events = [other(), other()]
            case 2: events = [other(), ping(), other()]
            default: events = [ping()]
            }
            expected += events.filter { $0.type == "IntegrationPing" }.count
            let result = try await log.store.append("pass-\(round % 5)", events, expected: .any, metadata: metadata)
            let last = result.positions.last!
            #expect(try await engine.waitUntil("pings", reflects: last, timeout: .seconds(5)) >= last, "round \(round)")
            #expect(try engine.read("pings") { try $0.get(CountingProjector.byType, "IntegrationPing") ?? 0 } == expected, "round \(round)")
        }
        #expect(try engine.status(of: "pings").checkpoint == log.store.headWatch.head)
        #expect(try engine.read("pings") { try $0.get(CountingProjector.byType, "IntegrationOther") } == nil)
    }

    /// A server runs the engine while a caller may run it too (the HTTP tests do): cancelling one
    /// loop must neither stop the others nor leave any asleep for good (a signal shared by the
    /// loops of one runner, tried in a version that sleeps on the runner's thread, did both).
    @Test("every loop follows the log and ends when its task is cancelled, also with three loops on one engine")
    func loopsEndWhenCancelled() async throws {
        let log = try await CompanyLog(customers: 5, years: 1)
        let engine = try log.engine([CountingProjector()])
        let loops = (0..<3).map { _ in Task { await engine.run() } }
        let metadata = AppendMetadata(actor: Actor(id: "cti", role: "integrator"), source: Source(clientAddress: "10.0.0.9", userAgent: "cti", host: "pbx"))
        for i in 0..<10 {
            let result = try await log.store.append("loops-\(i)", [ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8))],
                                                    expected: .any, metadata: metadata)
            #expect(try await engine.waitUntil("counting", reflects: result.positions[0], timeout: .seconds(5)) >= result.positions[0])
        }
        // Cancel one loop: the others go on following the log.
        loops[0].cancel()
        await loops[0].value
        let last = try await log.store.append("loops-last", [ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8))],
                                              expected: .any, metadata: metadata)
        #expect(try await engine.waitUntil("counting", reflects: last.positions[0], timeout: .seconds(5)) >= last.positions[0])
        #expect(try engine.read("counting") { try $0.get(CountingProjector.byType, "IntegrationPing") } == 11)
        // Then the rest: every loop ends (within a bound, so that a loop asleep for good fails
        // the test instead of hanging it).
        final class Ended: Sendable { let count = Mutex(0) }
        let ended = Ended()
        for loop in loops.dropFirst() {
            loop.cancel()
            Task { await loop.value; ended.count.withLock { $0 += 1 } }
        }
        for _ in 0..<500 where ended.count.withLock({ $0 }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(ended.count.withLock { $0 } == 2)
    }

    @Test("a changed version rebuilds in the background while the old read model serves")
    func versionChange() async throws {
        let log = try await CompanyLog(customers: 10, years: 1)
        let name = "versions"
        do {
            let engine = try log.engine([CountingProjector()], name: name)
            try engine.catchUp()
        }
        var v2 = CountingProjector()
        v2.version = 2
        let engine = try log.engine([v2], name: name)
        let status = try engine.status(of: "counting")
        #expect(status.version == 1)
        #expect(status.rebuild?.version == 2)
        // Old generation still answers.
        #expect(try engine.read("counting") { $0.position } == log.head)
        try engine.catchUp()
        let after = try engine.status(of: "counting")
        #expect(after.version == 2)
        #expect(after.lastRebuild?.checksumsMatch == nil)
        #expect(try engine.read("counting") { try Self.counts($0) } == Self.bruteForce(try log.events()))
    }

    @Test("as of a position equals a fold of the log truncated there; replay into a scratch model")
    func asOfAndReplay() async throws {
        let log = try await CompanyLog(customers: 10, years: 1)
        let engine = try log.engine([CountingProjector()])
        try engine.catchUp()
        let middle = log.head / 2
        let snapshot = try await engine.asOf("counting", position: middle)
        #expect(try snapshot.read { try Self.counts($0) } == Self.bruteForce(try log.events(through: middle)))
        #expect(try snapshot.read { $0.position } == middle)
        let again = try await engine.asOf("counting", position: middle)
        #expect(again.directory == snapshot.directory)
        let scratch = try await engine.replay(CountingProjector(), as: "second-half", from: middle + 1)
        let all = Self.bruteForce(try log.events())
        let firstHalf = Self.bruteForce(try log.events(through: middle))
        let secondHalf = try scratch.read { try Self.counts($0) }
        for (type, count) in all { #expect((firstHalf[type] ?? 0) + (secondHalf[type] ?? 0) == count) }
        await #expect(throws: ProjectionError.self) { try await engine.asOf("counting", position: log.head + 1) }
    }

    @Test("a read model stored in an older value encoding is rebuilt in the current one")
    func olderEncodingIsRebuilt() async throws {
        let log = try await CompanyLog(customers: 5, years: 1)
        let name = "encoding"
        do {
            let engine = try log.engine([CountingProjector()], name: name)
            try engine.catchUp()
        }
        // Make generation 1 look as if JSON-era code had written it: no `format` in its record.
        let generation = log.path + "/projections-\(name)/counting/gen-1"
        do {
            let store = try KeyValueStore(directory: generation, tables: ["_meta", "byStream", "byType"])
            try store.write { writer in
                let bytes = try #require(try writer.reader.get(0, Array("record".utf8)))
                var record = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
                #expect(record["format"] != nil)
                record["format"] = nil
                try writer.put(0, Array("record".utf8), Array(try JSONSerialization.data(withJSONObject: record)))
            }
        }
        let engine = try log.engine([CountingProjector()], name: name)
        #expect(try engine.status(of: "counting").rebuild != nil)
        try engine.catchUp()
        let status = try engine.status(of: "counting")
        #expect(status.generation == 2)
        #expect(status.lastRebuild?.checksumsMatch == nil)
        #expect(try engine.read("counting") { try Self.counts($0) } == Self.bruteForce(try log.events()))
    }
}
