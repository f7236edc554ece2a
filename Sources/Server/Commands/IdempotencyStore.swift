import EventStore
import Foundation
import Synchronization

/// The first answers to requests that carried an `Idempotency-Key`, kept in an LMDB environment
/// of its own (`<data>/idempotency`) so that storing one never takes the log's write lock.
///
/// Keys are scoped to the principal's user: the same key from two users names two requests.
/// The store is only the fast path for replays; crash safety comes from the event ids, which
/// derive from the same (user, key) pair (`commandId`), so a retry after the server died between
/// the append and `save` finds its events in the log and appends nothing.
///
/// The environment is opened on first use, because the router is built synchronously and most
/// processes (tests, read-only servers) never need it.
final class IdempotencyStore: Sendable {
    let directory: String
    private let opened = Mutex<KeyValueStore?>(nil)
    private static let answers = 0

    init(directory: String) {
        self.directory = directory
    }

    /// The stable id of the command a (user, key) pair stands for; the event ids derive from it.
    static func commandId(user: String, key: String) -> UUID {
        let digest = Array("crm-idempotency\u{0}\(user)\u{0}\(key)".utf8).withUnsafeBytes { SHA256Digest.hash($0) }.bytes
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x50
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The answer stored for (user, key), if any.
    func answer(user: String, key: String) throws -> StoredAnswer? {
        let bytes = try environment().read { try $0.get(Self.answers, Self.storageKey(user: user, key: key)) }
        guard let bytes else { return nil }
        return try JSONDecoder().decode(StoredAnswer.self, from: Data(bytes))
    }

    /// Keeps the first answer for (user, key); an answer already stored wins (a concurrent twin
    /// of the request may have stored it first).
    func save(_ answer: StoredAnswer, user: String, key: String) throws {
        let value = Array(try JSONEncoder().encode(answer))
        let storageKey = Self.storageKey(user: user, key: key)
        try environment().write { writer in
            guard try writer.reader.get(Self.answers, storageKey) == nil else { return }
            try writer.put(Self.answers, storageKey, value)
        }
    }

    private func environment() throws -> KeyValueStore {
        try opened.withLock { opened in
            if let opened { return opened }
            let store = try KeyValueStore(directory: directory, tables: ["answers"], mapSize: 1 << 30)
            opened = store
            return store
        }
    }

    /// SHA-256 of (user, key): a fixed-size LMDB key however long the user name and key are.
    private static func storageKey(user: String, key: String) -> [UInt8] {
        Array("\(user)\u{0}\(key)".utf8).withUnsafeBytes { SHA256Digest.hash($0) }.bytes
    }
}
