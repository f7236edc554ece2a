import Foundation
import Testing
@testable import EventStore

@Suite("Key/value store")
struct KeyValueStoreTests {
    @Test("writes commit durably and reads see a snapshot; a failed write keeps nothing")
    func readWrite() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(directory: dir.path + "/kv", tables: ["a", "b"])
        try store.write { writer in
            try writer.put(0, Array("k1".utf8), [1])
            try writer.put(0, Array("k2".utf8), [2])
            try writer.put(1, Array("k1".utf8), [3])
        }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write { writer in
                try writer.put(0, Array("k3".utf8), [9])
                throw Boom()
            }
        }
        try store.read { reader in
            #expect(try reader.get(0, Array("k1".utf8)) == [1])
            #expect(try reader.get(1, Array("k1".utf8)) == [3])
            #expect(try reader.get(0, Array("k3".utf8)) == nil)
            #expect(reader.count(0) == 2)
            var keys: [String] = []
            try reader.scanBackward(0) { key, _ in keys.append(String(decoding: key, as: UTF8.self)); return true }
            #expect(keys == ["k2", "k1"])
        }
    }

    @Test("one directory cannot be opened twice in a process (LMDB would corrupt its lock file's mutexes)")
    func noSecondOpen() throws {
        let dir = TemporaryDirectory()
        do {
            let first = try KeyValueStore(directory: dir.path + "/kv", tables: ["a"])
            #expect(throws: EventStoreError.self) { try KeyValueStore(directory: dir.path + "/kv", tables: ["a"]) }
            #expect(throws: EventStoreError.self) { try KeyValueStore(directory: dir.path + "/./kv", tables: ["a"]) }
            try first.write { try $0.put(0, [1], [1]) }
        }
        // Once the first is gone, the directory opens again with its data.
        let again = try KeyValueStore(directory: dir.path + "/kv", tables: ["a"])
        #expect(try again.read { try $0.get(0, [1]) } == [1])
    }
}
