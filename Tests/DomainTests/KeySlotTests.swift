import Domain
@testable import EventStore
import Foundation
import Testing

/// Keys written ahead in slots: a new subject costs no synced write of its own, the log records
/// which slots hold a subject's data, and erasure destroys every one of them.
@Suite("Personal data: key slots")
struct KeySlotTests {
    private func erasure(_ f: DomainFixture) throws -> (SubjectErasure, AppendMetadata) {
        var metadata = f.metadata
        metadata.reason = "GDPR art. 17 request"
        return (SubjectErasure(handler: f.handler, keyRing: try #require(f.keyRing), duplicates: f.customers.duplicates), metadata)
    }

    @Test("registrations take keys written ahead; the log indexes subject to slot in the append")
    func registrationsTakeSlots() async throws {
        let f = try DomainFixture(protected: true)
        let ring = try #require(f.keyRing)
        for index in 0..<10 {
            try await f.register("c\(index)", name: "Person \(index)", email: "p\(index)@example.org")
        }
        // One batch of keys for ten new subjects: no synced write per registration.
        #expect(ring.keyCount() == SubjectKeyRing.poolBatch)
        var slots: Set<UInt64> = []
        for index in 0..<10 {
            let sealed = try #require(try f.store.readStream("customer-c\(index)")[0].sealed)
            let slot = try #require(sealed.keySlot)
            #expect(try f.store.keySlots(of: "customer:c\(index)") == [slot])
            slots.insert(slot)
        }
        #expect(slots.count == 10)
        #expect(try f.store.keySlots(of: "customer:c1") != f.store.keySlots(of: "customer:c10"))
    }

    @Test("after a restart a subject takes another slot; erasure destroys all of them")
    func erasureFindsEverySlot() async throws {
        let root = NSTemporaryDirectory() + "crm-keyslot-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let masterPath = root + "-secrets/master.key"
        defer { try? FileManager.default.removeItem(atPath: root + "-secrets") }
        let store = try EventStore(directory: root, configuration: .init(initialMapSize: 16 << 20))
        defer { store.close() }
        let metadata = AppendMetadata(actor: Actor(id: "mia", role: "admin"), source: Source(clientAddress: "192.0.2.10", userAgent: "tests", host: "test"))
        let context = DecisionContext(now: Date(timeIntervalSince1970: 1_767_225_600))
        do {
            let ring = try SubjectKeyRing(dataDirectory: root, masterKeyPath: masterPath, createMasterKey: true)
            let customers = CustomerService(handler: CommandHandler(store: store, registry: EventRegistry.domain.protecting(with: ring)))
            for (id, name) in [("c1", "Ann Slot"), ("c2", "Bob Kept")] {
                try await customers.register(RegisterCustomer(customerId: id, kind: .person, name: name, email: "\(id)@example.org", channel: .webForm),
                                             context: context, metadata: metadata)
            }
        }
        // The next process: a key ring with nothing in memory.
        let ring = try SubjectKeyRing(dataDirectory: root, masterKeyPath: masterPath)
        let handler = CommandHandler(store: store, registry: EventRegistry.domain.protecting(with: ring))
        _ = try await handler.execute(LogInteraction(customerId: "c1", interactionId: "i1", channel: .call, direction: .inbound,
                                                     outcome: "reached", notes: "secret note of Ann"),
                                      context: context, metadata: metadata)
        let slots = try store.keySlots(of: "customer:c1")
        #expect(slots.count == 2)

        var erasing = metadata
        erasing.reason = "GDPR art. 17 request"
        _ = try await SubjectErasure(handler: handler, keyRing: ring).erase("c1", metadata: erasing)
        // Every slot is gone from the keys environment, not only refused for the erased subject.
        for slot in slots {
            #expect(try ring.key(opening: SealedData(subject: "customer:someone-else", ciphertext: [], keySlot: slot)) == nil)
        }
        let events = try store.readStream("customer-c1")
        #expect((try handler.registry.decode(events[0]) as? CustomerRegistered)?.email == "erased")
        #expect((try handler.registry.decode(events[1]) as? InteractionLogged)?.notes == "erased")
        #expect((try handler.registry.decode(store.readStream("customer-c2")[0]) as? CustomerRegistered)?.email == "c2@example.org")
        #expect(try store.verify().isIntact)
    }

    @Test("a command sealed just before the erasure is refused by the log, not stored under a live key")
    func sealedBeforeErasureIsRefused() async throws {
        let f = try DomainFixture(protected: true)
        try await f.register("c1", name: "Ann Race", email: "ann.race@example.org")
        // Decided and sealed, as a command in flight is, but not yet appended.
        let command = LogInteraction(customerId: "c1", interactionId: "i9", channel: .email, direction: .outbound,
                                     outcome: "sent", notes: "written before the erasure")
        let (customer, _) = try f.handler.load(Customer.self, id: "c1")
        let pending = try await f.handler.registry.encode(try command.decide(customer, f.context), ids: nil)
        #expect(pending[0].sealed?.keySlot != nil)
        let (erasure, metadata) = try erasure(f)
        _ = try await erasure.erase("c1", metadata: metadata)
        let head = f.head
        await #expect(throws: EventStoreError.subjectErased("customer:c1")) {
            _ = try await f.store.append("customer-c1", pending, expected: .any, metadata: f.metadata)
        }
        #expect(f.head == head)
        // The slot it was sealed under is destroyed with the others.
        #expect(try f.keyRing!.key(opening: pending[0].sealed!) == nil)
    }

    @Test("a key of an earlier version, stored under its subject, still opens and is erased")
    func subjectKeysOfEarlierVersions() throws {
        let root = NSTemporaryDirectory() + "crm-keyslot-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let masterPath = root + "/secrets/master.key"
        do { _ = try SubjectKeyRing(dataDirectory: root, masterKeyPath: masterPath, createMasterKey: true) }
        // Write a key the way earlier versions did: wrapped under the master key, by subject name.
        let legacy = DataKey.generate()
        do {
            let master = try MasterKey.load(file: masterPath)
            let storage = try KeyValueStore(directory: root + "/keys", tables: ["keys", "erased", "meta", "owned", "owner", "slots"],
                                            mapSize: 4 << 30, syncEveryCommit: true)
            try storage.write { try $0.put(0, Array("customer:old".utf8), master.wrap(legacy, subject: "customer:old")) }
        }
        let eventId = UUID()
        let ciphertext = legacy.seal(Array(#"{"name":"Old Timer"}"#.utf8), eventId: withUnsafeBytes(of: eventId.uuid) { Array($0) })
        let sealed = SealedData(subject: "customer:old", ciphertext: ciphertext)
        do {
            let ring = try SubjectKeyRing(dataDirectory: root, masterKeyPath: masterPath)
            #expect(try ring.key(opening: sealed)?.bytes == legacy.bytes)
        // New events of that subject keep sealing under its key (no slot).
            let sealing = try #require(try ring.sealingKeys(for: ["customer:old"])["customer:old"])
            #expect(sealing.bytes == legacy.bytes && sealing.slot == nil)
            #expect(try ring.erase("customer:old", at: 1))
            #expect(try ring.key(opening: sealed) == nil)
        }
        let again = try SubjectKeyRing(dataDirectory: root, masterKeyPath: masterPath)
        #expect(try again.key(opening: sealed) == nil)
        #expect(again.keyCount() == 0)
    }
}
