import Foundation
@testable import EventStore

/// A fresh directory under the system temp dir, removed when the test ends.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "crm-test-" + UUID().uuidString
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let testActor = Actor(id: "alice", role: "manager")
let testMetadata = AppendMetadata(actor: testActor, source: Source(clientAddress: "198.51.100.7", userAgent: "tests", host: "test-host"))

func event(_ type: String = "Noted", _ text: String = "x", id: UUID = UUID()) -> ProposedEvent {
    ProposedEvent(id: id, type: type, data: Array(#"{"text":"\#(text)"}"#.utf8))
}

func openStore(_ path: String, key: HMACKey? = testKey, clock: (@Sendable () -> Int64)? = nil, initialMapSize: Int = 8 << 20, checkpointInterval: UInt64 = 10_000) throws -> EventStore {
    var configuration = EventStore.Configuration(initialMapSize: initialMapSize, checkpointInterval: checkpointInterval, checkpointKey: key)
    if let clock { configuration.clock = clock }
    return try EventStore(directory: path, configuration: configuration)
}

let testKey = try! HMACKey(bytes: Array(repeating: 7, count: 32))
