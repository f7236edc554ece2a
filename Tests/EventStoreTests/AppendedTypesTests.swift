import Foundation
import Testing
@testable import EventStore

/// The record of which types the latest commits appended, which lets an idle projector move past
/// commits of types it does not fold without reading the log: it must never answer for a range
/// it did not see whole, nor leave out a type.
@Suite("Appended types")
struct AppendedTypesTests {
    /// The mask of exactly `types` (without the shared bit a projector's mask adds).
    func mask(_ types: String...) -> AppendedTypes.Mask {
        var mask = AppendedTypes.Mask()
        for type in types { mask.insert(AppendedTypes.index(of: type)) }
        return mask
    }

    @Test func masksOfContiguousCommits() {
        let types = AppendedTypes()
        types.record(first: 11, last: 12, mask: mask("A"))
        types.record(first: 13, last: 13, mask: mask("B"))
        types.record(first: 14, last: 20, mask: mask("C"))
        #expect(types.mask(after: 10, through: 20) == mask("A", "B", "C"))
        #expect(types.mask(after: 12, through: 20) == mask("B", "C"))
        #expect(types.mask(after: 13, through: 20) == mask("C"))
        #expect(types.mask(after: 11, through: 13) == mask("A", "B"))
        #expect(types.mask(after: 20, through: 20) == mask())
        // Before the first commit it saw, or beyond the last: unknown.
        #expect(types.mask(after: 9, through: 20) == nil)
        #expect(types.mask(after: 12, through: 21) == nil)
        #expect(AppendedTypes().mask(after: 0, through: 1) == nil)
    }

    @Test func aGapMeansUnknown() {
        let types = AppendedTypes()
        types.record(first: 1, last: 5, mask: mask("A"))
        types.record(first: 8, last: 9, mask: mask("B"))
        #expect(types.mask(after: 7, through: 9) == mask("B"))
        #expect(types.mask(after: 6, through: 9) == nil)
        #expect(types.mask(after: 2, through: 9) == nil)
    }

    @Test func onlyTheLatestCommitsAreKept() {
        let types = AppendedTypes()
        let total = AppendedTypes.capacity + 100
        for n in 1...total { types.record(first: UInt64(n), last: UInt64(n), mask: mask("T\(n % 7)")) }
        let oldestKept = UInt64(total - AppendedTypes.capacity + 1)
        #expect(types.mask(after: oldestKept - 1, through: UInt64(total)) == mask("T0", "T1", "T2", "T3", "T4", "T5", "T6"))
        #expect(types.mask(after: oldestKept - 2, through: UInt64(total)) == nil)
        #expect(types.mask(after: UInt64(total - 1), through: UInt64(total)) == mask("T\(total % 7)"))
    }

    /// Distinct names get distinct bits, so a projector is never passed over an event of its
    /// types; names beyond the numbered ones fall on the bit every projector's mask holds.
    @Test func masksAreExactAndUnnumberedNamesAlwaysMatch() {
        let projector = AppendedTypes.Mask(projecting: ["CustomerRegistered", "InteractionLogged"])
        #expect(!projector.intersects(mask("DataAccessed")))
        #expect(projector.intersects(mask("InteractionLogged", "DataAccessed")))
        var unnumbered = AppendedTypes.Mask()
        unnumbered.insert(AppendedTypes.overflow)
        #expect(projector.intersects(unnumbered))
        let names = (0..<40).map { "Distinct\($0)" }
        for (index, name) in names.enumerated() {
            #expect(!AppendedTypes.Mask(projecting: names.filter { $0 != name }).intersects(mask(name)) || AppendedTypes.index(of: name) == AppendedTypes.overflow,
                    "\(index)")
        }
    }

    /// The store records every commit before publishing its head, so a task woken by the head
    /// finds the commit's types.
    @Test func theStoreRecordsEachCommitBeforePublishingIt() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        defer { store.close() }
        let first = try await store.append("s-1", [event("Alpha"), event("Beta")], expected: .any, metadata: testMetadata)
        let second = try await store.append("s-2", [event("Gamma")], expected: .any, metadata: testMetadata)
        #expect(store.appendedTypes.mask(after: 0, through: store.headWatch.head) == mask("Alpha", "Beta", "Gamma"))
        #expect(store.appendedTypes.mask(after: first.positions.last!, through: second.positions.last!) == mask("Gamma"))
    }
}
