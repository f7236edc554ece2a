import Foundation
import Synchronization
import Testing
@testable import EventStore

@Suite("Concurrent appends")
struct ConcurrencyTests {
    @Test("64 tasks × 500 events: a gap-free log, correct stream versions, few commits")
    func manyWriters() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path, initialMapSize: 64 << 20)
        let writers = 64
        let perWriter = 500
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for n in 0..<perWriter {
                        // Writers share 16 streams, so expected versions interleave.
                        try await store.append("stream-\(writer % 16)", [event("E", "\(writer)-\(n)")], expected: .any, metadata: testMetadata)
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = UInt64(writers * perWriter)
        #expect(try store.head().position == total)
        var expected: UInt64 = 1
        var versions: [String: UInt64] = [:]
        try store.scanHeaders { header in
            #expect(header.position == expected)
            expected += 1
            versions[header.stream, default: 0] += 1
            #expect(header.streamVersion == versions[header.stream])
            return true
        }
        #expect(expected == total + 1)
        for stream in 0..<16 {
            #expect(try store.streamVersion("stream-\(stream)") == UInt64(perWriter * writers / 16))
        }
        let stats = try store.statistics()
        #expect(stats.commitsSinceOpen < total, "concurrent appends were grouped into fewer commits")
        #expect(try store.verify().isIntact)
    }

    @Test("two racing .exact(n) appends: exactly one wins", arguments: 0..<20)
    func racingExpectedVersions(round: Int) async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        try await store.append("s", [event()], expected: .noStream, metadata: testMetadata)
        let outcomes = await withTaskGroup(of: Result<AppendResult, any Error>.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    do { return .success(try await store.append("s", [event()], expected: .exact(1), metadata: testMetadata)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let wins = outcomes.filter { if case .success = $0 { true } else { false } }
        let conflicts = outcomes.filter {
            if case .failure(EventStoreError.wrongExpectedVersion(stream: "s", expected: .exact(1), actual: 2)) = $0 { true } else { false }
        }
        #expect(wins.count == 1)
        #expect(conflicts.count == 1)
        #expect(try store.streamVersion("s") == 2)
    }

    @Test("a rejected request in a group does not disturb the others committed with it")
    func mixedGroup() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<200 {
                group.addTask {
                    // Every third request expects a version its stream never has.
                    let expected: ExpectedVersion = n % 3 == 0 ? .exact(10_000) : .any
                    return (try? await store.append("s-\(n % 7)", [event()], expected: expected, metadata: testMetadata)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        let succeeded = outcomes.filter { $0 }.count
        #expect(succeeded == 200 - 67)
        #expect(try store.head().position == UInt64(succeeded))
        #expect(try store.verify().isIntact)
    }
}
