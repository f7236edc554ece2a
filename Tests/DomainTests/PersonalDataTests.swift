import Domain
@testable import EventStore
import Foundation
import Testing

@Suite("Personal data: sealing, erasure, rotation")
struct PersonalDataTests {
    static let email = "ann.sealed-4711@example.org"
    static let notes = "Ann mentioned her divorce settlement"

    /// Registers customer c1 with a contact and an interaction carrying personal text.
    func seed(_ f: DomainFixture) async throws {
        try await f.register("c1", name: "Ann Sealed", email: Self.email, phone: "+49 30 4711 0815")
        try await f.run(AddContact(customerId: "c1", contactId: "ct1", name: "Bert Contact", email: "bert.contact-4711@example.org"))
        try await f.run(LogInteraction(customerId: "c1", interactionId: "i1", channel: .call, direction: .inbound,
                                       outcome: "reached", notes: Self.notes))
    }

    func fileContains(_ path: String, _ text: String) throws -> Bool {
        let data = try #require(FileManager.default.contents(atPath: path))
        return data.range(of: Data(text.utf8)) != nil
    }

    @Test("personal fields are sealed: absent from the raw LMDB file, readable through the registry")
    func sealedOnDisk() async throws {
        let f = try DomainFixture(protected: true)
        try await seed(f)
        #expect(try !fileContains(f.path + "/log/data.mdb", Self.email))
        #expect(try !fileContains(f.path + "/log/data.mdb", Self.notes))
        #expect(try !fileContains(f.path + "/log/data.mdb", "Bert Contact"))
        // The same data without protection is plainly in the file: the search can find it.
        let plain = try DomainFixture()
        try await seed(plain)
        #expect(try fileContains(plain.path + "/log/data.mdb", Self.email))

        let events = try f.store.readStream("customer-c1")
        #expect(events[0].sealed?.subject == "customer:c1")
        #expect(events[1].sealed?.subject == "contact:ct1")
        let registered = try #require(try f.handler.registry.decode(events[0]) as? CustomerRegistered)
        #expect(registered.email == Self.email)
        #expect(registered.name == "Ann Sealed")
        let logged = try #require(try f.handler.registry.decode(events[2]) as? InteractionLogged)
        #expect(logged.notes == Self.notes)
        #expect(logged.outcome == "reached")
        // A reader without the keys sees the placeholder, never the value.
        let blind = try #require(try EventRegistry.domain.decode(events[0]) as? CustomerRegistered)
        #expect(blind.email == PersonalDataProtection.erasedMarker)
    }

    @Test("erasure destroys the keys of the customer and its contacts, keeps the chain intact and refuses new personal data")
    func erasure() async throws {
        let f = try DomainFixture(protected: true)
        try await seed(f)
        let ring = try #require(f.keyRing)
        let erasure = SubjectErasure(handler: f.handler, keyRing: ring, duplicates: f.customers.duplicates)
        var metadata = f.metadata
        metadata.reason = "GDPR art. 17 request #12"
        let outcome = try await erasure.erase("c1", metadata: metadata)
        #expect(outcome.subject == "customer:c1")
        #expect(Set(outcome.erasedSubjects) == ["customer:c1", "contact:ct1"])
        #expect(try f.types(of: "customer-c1").last == "SubjectErased")

        let events = try f.store.readStream("customer-c1")
        let registered = try #require(try f.handler.registry.decode(events[0]) as? CustomerRegistered)
        #expect(registered.email == "erased")
        #expect(registered.name == "erased")
        #expect(registered.channel == .webForm)  // non-personal facts stay
        let contact = try #require(try f.handler.registry.decode(events[1]) as? ContactAdded)
        #expect(contact.name == "erased")
        let logged = try #require(try f.handler.registry.decode(events[2]) as? InteractionLogged)
        #expect(logged.notes == "erased")
        #expect(logged.outcome == "reached")

        #expect(try f.store.verify().isIntact)
        await #expect(throws: DomainError.subjectErased("customer:c1")) {
            try await f.run(LogInteraction(customerId: "c1", interactionId: "i2", channel: .call, direction: .inbound, outcome: "reached", notes: "x"))
        }
        await #expect(throws: DomainError.subjectErased("customer:c1")) { try await erasure.erase("customer:c1", metadata: metadata) }
        // The erased customer's e-mail no longer matches new registrations.
        try await f.register("c2", name: "Someone Else", email: Self.email)
    }

    @Test("an erasure needs a reason and an existing subject")
    func erasureRefused() async throws {
        let f = try DomainFixture(protected: true)
        try await seed(f)
        let erasure = SubjectErasure(handler: f.handler, keyRing: try #require(f.keyRing))
        await #expect(throws: DomainError.self) { try await erasure.erase("c1", metadata: f.metadata) }
        var metadata = f.metadata
        metadata.reason = "request"
        await #expect(throws: DomainError.notFound(kind: "data subject", id: "nobody")) { try await erasure.erase("nobody", metadata: metadata) }
        let outcome = try await erasure.erase("contact:ct1", metadata: metadata)
        #expect(outcome.erasedSubjects == ["contact:ct1"])
        let events = try f.store.readStream("customer-c1")
        #expect((try f.handler.registry.decode(events[0]) as? CustomerRegistered)?.email == Self.email)
        #expect((try f.handler.registry.decode(events[1]) as? ContactAdded)?.name == "erased")
    }
}

@Suite("Personal data: keys environment")
struct SubjectKeyRingTests {
    let root = NSTemporaryDirectory() + "crm-keys-test-" + UUID().uuidString

    func cleanup() { try? FileManager.default.removeItem(atPath: root) }

    @Test("a restored copy from before an erasure re-applies it on open")
    func restoreReappliesErasure() throws {
        defer { cleanup() }
        let data = root + "/data", master = root + "/secrets/master.key", snapshot = root + "/snapshot"
        let keys: [String: DataKey]
        do {
            let ring = try SubjectKeyRing(dataDirectory: data, masterKeyPath: master, createMasterKey: true)
            keys = try ring.sealingKeys(for: ["customer:a", "customer:b"], links: ["contact:x": "customer:a"])
        }
        func sealed(_ subject: String) -> SealedData { SealedData(subject: subject, ciphertext: [], keySlot: keys[subject]?.slot) }
        try FileManager.default.copyItem(atPath: data + "/keys", toPath: snapshot)
        do {
            let ring = try SubjectKeyRing(dataDirectory: data, masterKeyPath: master)
            #expect(try ring.erase("customer:a", at: 1))
            #expect(try ring.key(opening: sealed("customer:a")) == nil)
            #expect(throws: KeyRingError.subjectErased("customer:a")) { try ring.sealingKeys(for: ["customer:a"]) }
        }
        try FileManager.default.removeItem(atPath: data + "/keys")
        try FileManager.default.copyItem(atPath: snapshot, toPath: data + "/keys")
        let restored = try SubjectKeyRing(dataDirectory: data, masterKeyPath: master)
        #expect(restored.reappliedErasures == ["customer:a"])
        #expect(try restored.key(opening: sealed("customer:a")) == nil)
        #expect(try restored.key(opening: sealed("customer:b")) != nil)
        #expect(try restored.owner(of: "contact:x") == "customer:a")
    }

    @Test("concurrent reservations take keys written ahead; an erased subject is refused without failing the others")
    func concurrentKeyCreation() async throws {
        defer { cleanup() }
        let ring = try SubjectKeyRing(dataDirectory: root + "/data", masterKeyPath: root + "/secrets/master.key", createMasterKey: true)
        _ = try ring.sealingKeys(for: ["customer:gone"])
        #expect(try ring.erase("customer:gone", at: 1))
        let callers = 64
        let outcomes = await withTaskGroup(of: (Int, Result<[String: DataKey], KeyRingError>).self) { group in
            for index in 0..<callers {
                group.addTask {
                    // Every eighth caller also names the erased subject; every caller links a contact.
                    var subjects: Set<String> = ["customer:c\(index)", "customer:shared"]
                    if index % 8 == 0 { subjects.insert("customer:gone") }
                    let links = ["contact:k\(index)": "customer:c\(index)"]
                    do { return (index, .success(try await ring.reserveKeys(for: subjects, links: links))) } catch let error as KeyRingError {
                        return (index, .failure(error))
                    } catch {
                        return (index, .failure(.storage("\(error)")))
                    }
                }
            }
            var all: [Int: Result<[String: DataKey], KeyRingError>] = [:]
            for await (index, outcome) in group { all[index] = outcome }
            return all
        }
        var sharedKeys: [[UInt8]] = []
        var slots: [UInt64] = []
        for index in 0..<callers {
            let outcome = try #require(outcomes[index])
            if index % 8 == 0 {
                #expect(throws: KeyRingError.subjectErased("customer:gone")) { try outcome.get() }
                // Nothing of a refused demand was written.
                #expect(try ring.owner(of: "contact:k\(index)") == nil)
            } else {
                let keys = try outcome.get()
                #expect(Set(keys.keys) == ["customer:c\(index)", "customer:shared"])
                let key = try #require(keys["customer:c\(index)"])
                let opened = try ring.key(opening: SealedData(subject: "customer:c\(index)", ciphertext: [], keySlot: key.slot))
                #expect(opened?.bytes == key.bytes)
                slots.append(try #require(key.slot))
                #expect(try ring.owner(of: "contact:k\(index)") == "customer:c\(index)")
                sharedKeys.append(try #require(keys["customer:shared"]).bytes)
            }
        }
        // One key per subject, whichever caller took it; a slot of its own for every subject.
        #expect(Set(sharedKeys).count == 1)
        #expect(Set(slots).count == slots.count)
        // 58 subjects, one batch of keys written ahead: no write per new subject.
        #expect(ring.keyCount() == SubjectKeyRing.poolBatch)
    }

    @Test("rotation re-wraps every key; the old master key is then refused with a clear error")
    func rotation() throws {
        defer { cleanup() }
        let data = root + "/data", master = root + "/master.key"
        let plaintext = Array("hello".utf8), eventId = Array(repeating: UInt8(7), count: 16)
        let sealed: [UInt8]
        let slot: UInt64?
        do {
            let ring = try SubjectKeyRing(dataDirectory: data, masterKeyPath: master, createMasterKey: true)
            let keys = try ring.sealingKeys(for: ["customer:a"])
            sealed = try #require(keys["customer:a"]).seal(plaintext, eventId: eventId)
            slot = keys["customer:a"]?.slot
            let pseudonym = ring.pseudonym(for: "customer:a")
            let newKey = try MasterKey.create(file: master + ".new")
            #expect(try ring.rotate(to: newKey) == SubjectKeyRing.poolBatch)
            #expect(ring.pseudonym(for: "customer:a") == pseudonym)
        }
        // The old file is still in place: refused, and the message points at the pending key.
        #expect {
            try SubjectKeyRing(dataDirectory: data, masterKeyPath: master)
        } throws: { error in
            guard case KeyRingError.wrongMasterKey(_, _, _, let hint?) = error else { return false }
            return hint.contains(".new")
        }
        try FileManager.default.removeItem(atPath: master)
        try FileManager.default.moveItem(atPath: master + ".new", toPath: master)
        let ring = try SubjectKeyRing(dataDirectory: data, masterKeyPath: master)
        #expect(try ring.key(opening: SealedData(subject: "customer:a", ciphertext: sealed, keySlot: slot))?.open(sealed, eventId: eventId) == plaintext)
    }

    @Test("a missing or unusable master key is a clear error, never a new key")
    func missingKey() throws {
        defer { cleanup() }
        let data = root + "/data", master = root + "/master.key"
        _ = try SubjectKeyRing(dataDirectory: data, masterKeyPath: master, createMasterKey: true)
        #expect(throws: KeyRingError.missingMasterKey(path: root + "/elsewhere.key")) {
            try SubjectKeyRing(dataDirectory: data, masterKeyPath: root + "/elsewhere.key", createMasterKey: true)
        }
        try Data("not hex".utf8).write(to: URL(fileURLWithPath: root + "/bad.key"))
        #expect(throws: KeyRingError.unreadableMasterKey(path: root + "/bad.key", reason: "expected 64 hex digits")) {
            try SubjectKeyRing(dataDirectory: data, masterKeyPath: root + "/bad.key")
        }
        _ = try MasterKey.create(file: root + "/other.key")
        #expect(throws: KeyRingError.self) { try SubjectKeyRing(dataDirectory: data, masterKeyPath: root + "/other.key") }
    }
}
