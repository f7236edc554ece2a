import EventStore
import Foundation
@testable import Projections
import Testing

/// `ReadModelBatch.update` and `modify` change a value where the batch holds it: an array changed
/// through them keeps its storage (it used to be copied whole at every change, which made the
/// state cycle's schedule buckets quadratic to fill), and the values they leave are the ones a
/// get, change and put would leave. (Mutating calls are kept out of `#expect`: with one inside
/// the macro, a later change to the same batch was lost in this test; outside it, never.)
@Suite("Batch changes in place")
struct BatchInPlaceChangeTests {
    static let list = ReadModelTable<[Int]>("list")
    static let tables = ["_meta", list.name]
    static let tableIndex = [list.name: 1]

    /// A fresh read-model store in a temporary directory, removed after `body`.
    static func withStore(_ body: (KeyValueStore) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "crm-batch-in-place-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try KeyValueStore(directory: path, tables: tables)
        try body(store)
    }

    static func address(_ batch: ReadModelBatch, _ key: String) throws -> UInt? {
        try batch.get(list, key)?.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
    }

    @Test("an array changed by modify and update keeps its storage, pending or committed")
    func storageKept() throws {
        try Self.withStore { store in
            // Pending in this batch.
            let carried = try store.write { writer -> [ReadModelBatch.Slot: ReadModelBatch.Pending] in
                var batch = ReadModelBatch(reader: writer.reader, tableIndex: Self.tableIndex)
                var values = Array(0..<1000)
                values.reserveCapacity(4000)
                try batch.put(Self.list, "a", values)
                values = []
                let before = try Self.address(batch, "a")
                for i in 0..<500 {
                    let found = try batch.modify(Self.list, "a") { $0[i] = -i }
                    #expect(found)
                    try batch.update(Self.list, "a", default: []) { $0.append(i) }
                }
                #expect(try Self.address(batch, "a") == before)
                let got = try batch.get(Self.list, "a") ?? []
                #expect(got == (0..<1000).map { $0 < 500 ? -$0 : $0 } + Array(0..<500), "\(got.prefix(5)) \(got.count) \(got.suffix(5))")
                try batch.flush(into: writer)
                return batch.takeKnownAfterCommit(limit: 100)
            }
            // Committed, held decoded by the next batch.
            try store.write { writer in
                var batch = ReadModelBatch(reader: writer.reader, tableIndex: Self.tableIndex, known: carried)
                let before = try Self.address(batch, "a")
                let found = try batch.modify(Self.list, "a") { $0[0] = 42 }
                #expect(found)
                #expect(try Self.address(batch, "a") == before)
                #expect(try batch.get(Self.list, "a")?.first == 42)
            }
        }
    }

    @Test("absent, deleted, committed and added-to values behave as get, change and put")
    func semantics() throws {
        let counters = ReadModelTable<[String: Int64]>("list")
        try Self.withStore { store in
            try store.write { writer in
                var batch = ReadModelBatch(reader: writer.reader, tableIndex: Self.tableIndex)
                try batch.put(Self.list, "committed", [1, 2])
                try batch.put(Self.list, "gone", [9])
                try batch.flush(into: writer)
            }
            try store.write { writer in
                // Nothing carried over: committed values are decoded from the snapshot.
                var batch = ReadModelBatch(reader: writer.reader, tableIndex: Self.tableIndex)
                let committed = try batch.modify(Self.list, "committed") { $0.append(3) }
                #expect(committed)
                #expect(try batch.get(Self.list, "committed") == [1, 2, 3])
                // Absent: modify changes nothing, update starts from the default.
                let absent = try batch.modify(Self.list, "absent") { $0.append(1) }
                #expect(!absent)
                #expect(try batch.get(Self.list, "absent") == nil)
                try batch.update(Self.list, "absent", default: [7]) { $0.append(8) }
                #expect(try batch.get(Self.list, "absent") == [7, 8])
                // Deleted in this batch: stays deleted for modify, restarts for update.
                try batch.delete(Self.list, "gone")
                let gone = try batch.modify(Self.list, "gone") { $0.append(1) }
                #expect(!gone)
                #expect(try batch.get(Self.list, "gone") == nil)
                try batch.update(Self.list, "gone", default: []) { $0.append(5) }
                #expect(try batch.get(Self.list, "gone") == [5])
                try batch.flush(into: writer)
            }
            try store.write { writer in
                // Additions not merged yet are part of the value changed.
                var batch = ReadModelBatch(reader: writer.reader, tableIndex: Self.tableIndex)
                try batch.add(counters, "sums", ["x": 2])
                try batch.add(counters, "sums", ["x": 3, "y": 1])
                let sums = try batch.modify(counters, "sums") { $0["y"] = nil }
                #expect(sums)
                try batch.add(counters, "sums", ["x": 1])
                #expect(try batch.get(counters, "sums") == ["x": 6])
                try batch.flush(into: writer)
            }
            try store.read { (reader: KeyValueReader) throws in
                #expect(try reader.get(1, Array("committed".utf8)) != nil)
                let batch = ReadModelBatch(reader: reader, tableIndex: Self.tableIndex)
                #expect(try batch.get(Self.list, "committed") == [1, 2, 3])
                #expect(try batch.get(Self.list, "gone") == [5])
                #expect(try batch.get(Self.list, "absent") == [7, 8])
            }
        }
    }
}
