import Domain
import EventStore
import Foundation
import Testing

@Suite("Customers")
struct CustomerTests {
    func decode(_ fixture: DomainFixture, _ stream: String) throws -> [any DomainEvent] {
        try fixture.store.readStream(stream).map { try fixture.handler.registry.decode($0) }
    }

    @Test("registration records channel, source campaign, actor and source")
    func register() async throws {
        let f = try DomainFixture()
        try await f.customers.register(RegisterCustomer(customerId: "c1", kind: .organisation, name: "Lin Wei", organisation: "Acme Ltd",
                                                        email: "lin@acme.example", phone: "+86 10 5555 0101", channel: .campaign,
                                                        sourceCampaignId: "spring-26"), context: f.context, metadata: f.metadata)
        let stored = try f.store.readStream("customer-c1")
        #expect(stored.map(\.type) == ["CustomerRegistered"])
        #expect(stored[0].actor == f.metadata.actor)
        #expect(stored[0].source.clientAddress == "192.0.2.10")
        let event = try #require(try decode(f, "customer-c1").first as? CustomerRegistered)
        #expect(event.channel == .campaign)
        #expect(event.sourceCampaignId == "spring-26")
        #expect(event.occurredAt == f.now)
    }

    @Test("registering an existing id, bad e-mail, bad phone or an organisation without its name is refused", arguments: [
        RegisterCustomer(customerId: "c1", kind: .person, name: "Again", channel: .phone),
        RegisterCustomer(customerId: "c2", kind: .person, name: "X", email: "not-an-email", channel: .phone),
        RegisterCustomer(customerId: "c3", kind: .person, name: "X", phone: "call me", channel: .phone),
        RegisterCustomer(customerId: "c4", kind: .organisation, name: "X", channel: .phone),
        RegisterCustomer(customerId: "c 5", kind: .person, name: "X", channel: .phone),
        RegisterCustomer(customerId: "c6", kind: .person, name: "   ", channel: .phone),
    ])
    func registrationRefused(command: RegisterCustomer) async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        let head = f.head
        await #expect(throws: DomainError.self) {
            try await f.customers.register(command, context: f.context, metadata: f.metadata)
        }
        #expect(f.head == head)
    }

    @Test("a likely duplicate is refused with the matching ids unless registered anyway")
    func duplicates() async throws {
        let f = try DomainFixture()
        try await f.register("c1", name: "Zhang San", email: "Zhang.San+crm@Example.com", phone: "+49 (30) 1234-567")
        let head = f.head
        await #expect(throws: DomainError.likelyDuplicate(matches: ["c1"], on: ["email"])) {
            try await f.register("c2", name: "Someone Else", email: "zhang.san@example.com")
        }
        await #expect(throws: DomainError.likelyDuplicate(matches: ["c1"], on: ["phone"])) {
            try await f.register("c3", name: "Other", phone: "0049 30 1234567")
        }
        await #expect(throws: DomainError.likelyDuplicate(matches: ["c1"], on: ["name"])) {
            try await f.register("c4", name: "zhang  SAN")
        }
        #expect(f.head == head)
        try await f.customers.register(RegisterCustomer(customerId: "c2", kind: .person, name: "Someone Else", email: "zhang.san@example.com",
                                                        channel: .phone, registerAnyway: true), context: f.context, metadata: f.metadata)
        #expect(try f.types(of: "customer-c2") == ["CustomerRegistered", "DuplicateAcknowledged"])
        let ack = try #require(try decode(f, "customer-c2").last as? DuplicateAcknowledged)
        #expect(ack.matches == [DuplicateMatch(customerId: "c1", fields: ["email"])])
    }

    @Test("concurrent registrations of the same e-mail: one passes, the other is told it is a duplicate")
    func concurrentDuplicates() async throws {
        let f = try DomainFixture()
        let (customers, context, metadata) = (f.customers, f.context, f.metadata)
        let results = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<2 {
                group.addTask {
                    let command = RegisterCustomer(customerId: "r\(n)", kind: .person, name: "Person \(n)", email: "same@example.com", channel: .email)
                    return (try? await customers.register(command, context: context, metadata: metadata)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
    }

    @Test("the duplicate index is rebuilt from the log")
    func rebuildIndex() async throws {
        let f = try DomainFixture()
        try await f.register("c1", email: "a@example.com")
        let fresh = CustomerService(handler: CommandHandler(store: f.store))
        try fresh.rebuildIndex()
        await #expect(throws: DomainError.likelyDuplicate(matches: ["c1"], on: ["email"])) {
            try await fresh.register(RegisterCustomer(customerId: "c2", kind: .person, name: "B", email: "A@example.com", channel: .email), context: f.context, metadata: f.metadata)
        }
    }

    @Test("profile changes record only changed fields with old and new values")
    func profileChange() async throws {
        let f = try DomainFixture()
        try await f.register("c1", name: "Ann", email: "ann@example.com")
        try await f.customers.changeProfile(ChangeCustomerProfile(customerId: "c1", fields: ["name": "Ann", "email": "ann@new.example", "address": "1 Main St"]),
                                            context: f.context, metadata: f.metadata)
        let change = try #require(try decode(f, "customer-c1").last as? CustomerProfileChanged)
        #expect(change.changes == [FieldChange(field: "address", old: nil, new: "1 Main St"), FieldChange(field: "email", old: "ann@example.com", new: "ann@new.example")])
        // The index follows the change: the old e-mail is free, the new one taken.
        try await f.register("c2", email: "ann@example.com")
        await #expect(throws: DomainError.likelyDuplicate(matches: ["c1"], on: ["email"])) { try await f.register("c3", email: "ann@new.example") }
        let head = f.head
        await #expect(throws: DomainError.invalid(field: "nickname", reason: "not a profile field (address, email, name, organisation, phone)")) {
            try await f.run(ChangeCustomerProfile(customerId: "c1", fields: ["nickname": "x"]))
        }
        await #expect(throws: DomainError.notFound(kind: "customer", id: "nobody")) {
            try await f.run(ChangeCustomerProfile(customerId: "nobody", fields: ["name": "x"]))
        }
        #expect(f.head == head)
    }

    @Test("classification, manager assignment and reassignment, tags, consent, deactivation")
    func accountCommands() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        let gold = Classification(segment: "enterprise", region: "north", industry: "retail", size: "large", tier: "key")
        try await f.run(ClassifyCustomer(customerId: "c1", classification: gold))
        try await f.run(ClassifyCustomer(customerId: "c1", classification: gold))  // no change, no event
        try await f.run(AssignCustomerManager(customerId: "c1", managerId: "m1"))
        try await f.run(AssignCustomerManager(customerId: "c1", managerId: "m2"))
        try await f.run(TagCustomer(customerId: "c1", tag: "VIP"))
        try await f.run(TagCustomer(customerId: "c1", tag: "vip", tagged: false))
        try await f.run(RecordConsent(customerId: "c1", purpose: "marketing-email", given: true))
        try await f.run(RecordConsent(customerId: "c1", purpose: "marketing-email", given: false))
        try await f.run(SetCustomerActive(customerId: "c1", active: false, reason: "no orders for 2 years"))
        try await f.run(SetCustomerActive(customerId: "c1", active: true, reason: "came back"))
        #expect(try f.types(of: "customer-c1") == ["CustomerRegistered", "CustomerClassified", "CustomerManagerAssigned", "CustomerManagerAssigned",
                                                   "CustomerTagged", "CustomerUntagged", "ConsentGiven", "ConsentWithdrawn",
                                                   "CustomerDeactivated", "CustomerReactivated"])
        let reassigned = try #require(try decode(f, "customer-c1")[3] as? CustomerManagerAssigned)
        #expect(reassigned.previousManagerId == "m1")
        #expect(reassigned.managerId == "m2")
        let head = f.head
        await #expect(throws: DomainError.ruleViolated(rule: "customer-already-active", detail: "customer c1 is already active")) {
            try await f.run(SetCustomerActive(customerId: "c1", active: true, reason: "again"))
        }
        await #expect(throws: DomainError.invalid(field: "reason", reason: "must not be empty")) {
            try await f.run(SetCustomerActive(customerId: "c1", active: false, reason: ""))
        }
        #expect(f.head == head)
    }

    @Test("contacts are added, changed and removed; unknown contacts are not found")
    func contacts() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.run(AddContact(customerId: "c1", contactId: "k1", name: "Wang Fang", email: "fang@example.com", role: "buyer"))
        try await f.run(ChangeContact(customerId: "c1", contactId: "k1", fields: ["role": "head of purchasing", "email": "fang@example.com"]))
        try await f.run(RemoveContact(customerId: "c1", contactId: "k1"))
        #expect(try f.types(of: "customer-c1") == ["CustomerRegistered", "ContactAdded", "ContactChanged", "ContactRemoved"])
        let changed = try #require(try decode(f, "customer-c1")[2] as? ContactChanged)
        #expect(changed.changes == [FieldChange(field: "role", old: "buyer", new: "head of purchasing")])
        let head = f.head
        await #expect(throws: DomainError.notFound(kind: "contact", id: "k1")) { try await f.run(RemoveContact(customerId: "c1", contactId: "k1")) }
        await #expect(throws: DomainError.notFound(kind: "contact", id: "k9")) { try await f.run(ChangeContact(customerId: "c1", contactId: "k9", fields: ["name": "x"])) }
        try await f.run(AddContact(customerId: "c1", contactId: "k2", name: "Li"))
        await #expect(throws: DomainError.alreadyExists(kind: "contact", id: "k2")) { try await f.run(AddContact(customerId: "c1", contactId: "k2", name: "Li")) }
        #expect(f.head == head + 1)
    }

    @Test("interactions on every channel are logged with links; a duplicate interaction id is refused")
    func interactions() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        for (n, channel) in InteractionChannel.allCases.enumerated() {
            try await f.run(LogInteraction(customerId: "c1", interactionId: "i\(n)", channel: channel, direction: n % 2 == 0 ? .inbound : .outbound,
                                           durationSeconds: 60 * n, outcome: "reached", caseId: "case-1", opportunityId: "o1", campaignId: "camp"))
        }
        let logged = try decode(f, "customer-c1").compactMap { $0 as? InteractionLogged }
        #expect(logged.map(\.channel) == InteractionChannel.allCases)
        #expect(logged[0].opportunityId == "o1")
        let head = f.head
        await #expect(throws: DomainError.alreadyExists(kind: "interaction", id: "i0")) {
            try await f.run(LogInteraction(customerId: "c1", interactionId: "i0", channel: .call, direction: .inbound, outcome: "x"))
        }
        await #expect(throws: DomainError.invalid(field: "durationSeconds", reason: "must be between 0 and 86400")) {
            try await f.run(LogInteraction(customerId: "c1", interactionId: "i99", channel: .call, direction: .inbound, durationSeconds: -5, outcome: "x"))
        }
        #expect(f.head == head)
    }

    /// Found by the soak drill: the cached customer kept every interaction id it had ever logged,
    /// so the server's heap grew by ~240 bytes per interaction for as long as it ran.
    @Test("a customer remembers only its latest interaction ids: duplicates among them are refused, memory stays bounded")
    func recentInteractionIdsAreBounded() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        let total = RecentInteractions.limit * 3
        for n in 0..<total {
            try await f.run(LogInteraction(customerId: "c1", interactionId: "i\(n)", channel: .call, direction: .inbound, outcome: "reached"))
        }
        let (customer, _) = try f.handler.load(Customer.self, id: "c1")
        #expect(customer.recentInteractionIds.count == RecentInteractions.limit)
        #expect(customer.interactionCount == total)
        // The latest are refused as re-sends; the oldest are forgotten.
        for n in [total - 1, total - RecentInteractions.limit] {
            await #expect(throws: DomainError.alreadyExists(kind: "interaction", id: "i\(n)")) {
                try await f.run(LogInteraction(customerId: "c1", interactionId: "i\(n)", channel: .call, direction: .inbound, outcome: "x"))
            }
            #expect(customer.recentInteractionIds.contains("i\(n)"))
        }
        #expect(!customer.recentInteractionIds.contains("i0"))
        #expect(!customer.recentInteractionIds.contains("i\(total - RecentInteractions.limit - 1)"))
        // A fold of the log gives the same state as the cached one.
        var folded = Customer()
        for event in try decode(f, "customer-c1") { folded = folded.applying([event]) }
        #expect(folded.recentInteractionIds == customer.recentInteractionIds)
    }

    @Test("a merge changes both streams atomically; the absorbed id then refuses commands naming the survivor")
    func merge() async throws {
        let f = try DomainFixture()
        try await f.register("c1", email: "a@example.com")
        try await f.customers.register(RegisterCustomer(customerId: "c2", kind: .person, name: "Dup", email: "a@example.com", channel: .phone, registerAnyway: true),
                                       context: f.context, metadata: f.metadata)
        let results = try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "same person"), context: f.context, metadata: f.metadata)
        #expect(results.count == 2)
        #expect(try f.types(of: "customer-c1").last == "CustomerMerged")
        #expect(try f.types(of: "customer-c2").last == "CustomerAbsorbed")
        // History of both stays readable.
        #expect(try f.types(of: "customer-c2").first == "CustomerRegistered")
        let head = f.head
        await #expect(throws: DomainError.customerMerged(absorbed: "c2", survivor: "c1")) {
            try await f.run(TagCustomer(customerId: "c2", tag: "x"))
        }
        await #expect(throws: DomainError.customerMerged(absorbed: "c2", survivor: "c1")) {
            try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "again"), context: f.context, metadata: f.metadata)
        }
        await #expect(throws: DomainError.invalid(field: "absorbedId", reason: "a customer cannot absorb itself")) {
            try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c1", reason: "x"), context: f.context, metadata: f.metadata)
        }
        await #expect(throws: DomainError.notFound(kind: "customer", id: "c9")) {
            try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c9", reason: "x"), context: f.context, metadata: f.metadata)
        }
        #expect(f.head == head)
        // The absorbed customer's keys are released: the e-mail now matches only the survivor.
        await #expect(throws: DomainError.likelyDuplicate(matches: ["c1"], on: ["email"])) { try await f.register("c3", email: "a@example.com") }
    }

    @Test("deciding on a long stream does not replay it: cost is flat from the 10th to the 1,000th event")
    func cachedAggregates() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        for n in 0..<1000 {
            try await f.run(LogInteraction(customerId: "c1", interactionId: "i\(n)", channel: .email, direction: .inbound, outcome: "answered"))
        }
        let before = f.handler.replayedEvents
        try await f.run(TagCustomer(customerId: "c1", tag: "loyal"))
        #expect(f.handler.replayedEvents == before, "a cached aggregate reads no old events")
        // A fresh handler replays once, then is cached again.
        let cold = CommandHandler(store: f.store)
        try await cold.execute(TagCustomer(customerId: "c1", tag: "late"), context: f.context, metadata: f.metadata)
        #expect(cold.replayedEvents == 1002)
        try await cold.execute(TagCustomer(customerId: "c1", tag: "later"), context: f.context, metadata: f.metadata)
        #expect(cold.replayedEvents == 1002)
        // Another writer's event is picked up (only that one is read).
        try await f.run(TagCustomer(customerId: "c1", tag: "other-writer"))
        try await cold.execute(TagCustomer(customerId: "c1", tag: "after"), context: f.context, metadata: f.metadata)
        #expect(cold.replayedEvents == 1003)
    }

    @Test("a concurrent writer causes a bounded retry, not a lost update")
    func retryOnConflict() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        let other = CommandHandler(store: f.store)
        _ = try other.load(Customer.self, id: "c1")
        try await f.run(TagCustomer(customerId: "c1", tag: "a"))
        // `other` has c1 cached at version 1; its append expects 1, conflicts, reloads, succeeds.
        let outcome = try await other.execute(TagCustomer(customerId: "c1", tag: "b"), context: f.context, metadata: f.metadata)
        #expect(outcome.streamVersion == 3)
    }
}

@Suite("Money")
struct MoneyTests {
    @Test("parses exact decimals and refuses negatives, bad codes and too many decimals")
    func parsing() throws {
        #expect(try Money("1234.5", "EUR").minorUnits == 123_450)
        #expect(try Money("0.07", "USD").amount == "0.07")
        #expect(try Money("19", "CNY").amount == "19.00")
        for bad in ["-1", "1.234", "1.", ".5", "abc", "1e3", ""] {
            #expect(throws: DomainError.self) { try Money(bad, "EUR") }
        }
        #expect(throws: DomainError.self) { try Money("1", "eur") }
        #expect(throws: DomainError.self) { try Money(minorUnits: -1, currency: "EUR") }
    }

    @Test("arithmetic is exact and refuses mixed currencies and negative results")
    func arithmetic() throws {
        let a = try Money("10.10", "EUR")
        let b = try Money("0.20", "EUR")
        #expect(try a.adding(b).amount == "10.30")
        #expect(try a.subtracting(b).amount == "9.90")
        #expect(throws: DomainError.self) { try b.subtracting(a) }
        #expect(throws: DomainError.self) { try a.adding(Money("1", "USD")) }
        #expect(try Money("19.99", "EUR").lineTotal(quantity: 3, discountPercent: 15).amount == "50.97")
    }

    @Test("JSON form keeps the digits")
    func json() throws {
        let data = try JSONEncoder().encode(try Money("5.5", "EUR"))
        #expect(String(decoding: data, as: UTF8.self).contains(#""amount":"5.50""#))
        #expect(try JSONDecoder().decode(Money.self, from: data) == Money("5.50", "EUR"))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Money.self, from: Data(#"{"amount":"-1","currency":"EUR"}"#.utf8)) }
    }
}
