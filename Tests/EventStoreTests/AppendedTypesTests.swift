import Foundation
import Testing
@testable import EventStore

/// The record of which types the latest commits appended, which lets an idle projector move past
/// commits of types it does not fold without reading the log: it must never answer for a range
/// it did not see whole.
@Suite("Appended types")
struct AppendedTypesTests {
    @Test func masksOfContiguousCommits() {
        let types = AppendedTypes()
        let (a, b, c) = (AppendedTypes.bit("A"), AppendedTypes.bit("B"), AppendedTypes.bit("C"))
        types.record(first: 11, last: 12, mask: a)
        types.record(first: 13, last: 13, mask: b)
        types.record(first: 14, last: 20, mask: c)
        #expect(types.mask(after: 10, through: 20) == a | b | c)
        #expect(types.mask(after: 12, through: 20) == b | c)
        #expect(types.mask(after: 13, through: 20) == c)
        #expect(types.mask(after: 11, through: 13) == a | b)
        #expect(types.mask(after: 20, through: 20) == 0)
        // Before the first commit it saw, or beyond the last: unknown.
        #expect(types.mask(after: 9, through: 20) == nil)
        #expect(types.mask(after: 12, through: 21) == nil)
        #expect(AppendedTypes().mask(after: 0, through: 1) == nil)
    }

    @Test func aGapMeansUnknown() {
        let types = AppendedTypes()
        types.record(first: 1, last: 5, mask: AppendedTypes.bit("A"))
        types.record(first: 8, last: 9, mask: AppendedTypes.bit("B"))
        #expect(types.mask(after: 7, through: 9) == AppendedTypes.bit("B"))
        #expect(types.mask(after: 6, through: 9) == nil)
        #expect(types.mask(after: 2, through: 9) == nil)
    }

    @Test func onlyTheLatestCommitsAreKept() {
        let types = AppendedTypes()
        let total = AppendedTypes.capacity + 100
        for n in 1...total { types.record(first: UInt64(n), last: UInt64(n), mask: AppendedTypes.bit("T\(n % 7)")) }
        let oldestKept = UInt64(total - AppendedTypes.capacity + 1)
        #expect(types.mask(after: oldestKept - 1, through: UInt64(total)) == AppendedTypes.mask((0..<7).map { "T\($0)" }))
        #expect(types.mask(after: oldestKept - 2, through: UInt64(total)) == nil)
        #expect(types.mask(after: UInt64(total - 1), through: UInt64(total)) == AppendedTypes.bit("T\(total % 7)"))
    }

    /// The store records every commit before publishing its head, so a task woken by the head
    /// finds the commit's types.
    @Test func theStoreRecordsEachCommitBeforePublishingIt() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        defer { store.close() }
        let first = try await store.append("s-1", [event("Alpha"), event("Beta")], expected: .any, metadata: testMetadata)
        let second = try await store.append("s-2", [event("Gamma")], expected: .any, metadata: testMetadata)
        #expect(store.appendedTypes.mask(after: 0, through: store.headWatch.head) == AppendedTypes.mask(["Alpha", "Beta", "Gamma"]))
        #expect(store.appendedTypes.mask(after: first.positions.last!, through: second.positions.last!) == AppendedTypes.bit("Gamma"))
    }
}
