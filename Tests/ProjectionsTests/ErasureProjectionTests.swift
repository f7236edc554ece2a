import Domain
import EventStore
import Foundation
@testable import Projections
import Testing

/// A log written through a registry that seals personal data (as `crm serve` runs it), with the
/// subject key ring and the erasure service, in a temporary directory removed afterwards.
final class ProtectedLog {
    let path = NSTemporaryDirectory() + "crm-erasure-test-" + UUID().uuidString
    let store: EventStore
    let keyRing: SubjectKeyRing
    let registry: EventRegistry
    let handler: CommandHandler
    let customers: CustomerService
    var now = ISO8601DateFormatter().date(from: "2026-01-05T09:00:00Z")!
    let metadata = AppendMetadata(actor: Actor(id: "tester", role: "admin"),
                                  source: Source(clientAddress: "192.0.2.1", userAgent: "tests", host: "test"))

    init() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        store = try EventStore(directory: path + "/data", configuration: .init(initialMapSize: 16 << 20))
        // The master key lives outside the data directory, as in production.
        keyRing = try SubjectKeyRing(dataDirectory: path + "/data", masterKeyPath: path + "/secrets/master.key", createMasterKey: true)
        registry = EventRegistry.domain.protecting(with: keyRing)
        handler = CommandHandler(store: store, registry: registry)
        customers = CustomerService(handler: handler)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The read models' directory of the engines `engine` makes (the server's layout).
    var projections: String { path + "/data/projections" }

    /// An engine that decodes through the protected registry.
    func engine(_ projectors: [any Projector] = StandardProjectors.all, directory: String? = nil, batchSize: Int = 3) throws -> ProjectionEngine {
        try ProjectionEngine(store: store, projectors: projectors, directory: directory ?? projections, registry: registry,
                             configuration: .init(batchSize: batchSize))
    }

    func run<C: DomainCommand>(_ command: C, after hours: Double = 1) async throws {
        now += hours * 3600
        _ = try await handler.execute(command, context: DecisionContext(now: now), metadata: metadata)
    }

    func register(_ id: String, name: String, email: String, phone: String? = nil) async throws {
        now += 3600
        _ = try await customers.register(RegisterCustomer(customerId: id, kind: .person, name: name, email: email, phone: phone,
                                                          channel: .referral, registerAnyway: true),
                                         context: DecisionContext(now: now), metadata: metadata)
    }

    /// Erases `subject` with a reason, as the API and `crm erase` do.
    @discardableResult
    func erase(_ subject: String) async throws -> SubjectErasure.Outcome {
        var metadata = metadata
        metadata.reason = "GDPR art. 17 request"
        now += 3600
        return try await SubjectErasure(handler: handler, keyRing: keyRing, duplicates: customers.duplicates)
            .erase(subject, metadata: metadata, at: now)
    }

    func eur(_ amount: String) throws -> Money { try Money(amount, "EUR") }

    /// The LMDB data files below `directory` that contain `text`.
    static func files(containing text: String, under directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        let needle = Data(text.utf8)
        for case let relative as String in enumerator where relative.hasSuffix(".mdb") {
            if let data = FileManager.default.contents(atPath: directory + "/" + relative), data.range(of: needle) != nil {
                found.append(relative)
            }
        }
        return found.sorted()
    }
}

@Suite("Projections: erasure of personal data")
struct ErasureProjectionTests {
    // Every personal value of the erased subjects carries "4711", so one search finds any of them.
    static let annEmail = "ann.erased-4711@example.org"
    static let annName = "Ann Erased4711"
    static let contactEmail = "carl.contact-4711@example.org"
    static let cleoEmail = "cleo.absorbed-4711@example.org"
    static let erasedTexts = [annEmail, annName, annName.lowercased(), contactEmail, cleoEmail, "Carl Contact4711", "Cleo Absorbed4711",
                              "heater-4711", "fleet-4711", "call-ann-4711", "divorce-4711", "cleo-call-4711", "Dana Decider4711"]
    static let keptEmail = "bob.kept-0815@example.org"
    static let marker = PersonalDataProtection.erasedMarker

    /// Ann (c1) with a contact, interactions, two opportunities (one won, with fields), a case, a
    /// task, an order, an invoice and a payment, a survey; Bob (c2), who is kept, with his own
    /// case, task and opportunity; Cleo (c3), merged into Bob, with an interaction Bob's 360 shows.
    func history(_ log: ProtectedLog) async throws {
        try await log.run(DefineTeam(teamId: "north", name: "Team North", region: "north"))
        try await log.run(AssignManagerToTeam(teamId: "north", managerId: "m1"))
        try await log.run(DefineSalesProcess(processId: "p", name: "Process", stages: [
            SalesStage(name: "qualification", winProbability: 10), SalesStage(name: "proposal", winProbability: 50),
            SalesStage(name: "negotiation", winProbability: 80, requiredFields: ["decisionMaker", "budget"])]))
        try await log.register("c1", name: Self.annName, email: Self.annEmail, phone: "+49 30 4711 0001")
        try await log.run(ClassifyCustomer(customerId: "c1", classification: Classification(segment: "smb", region: "north", industry: "retail",
                                                                                            size: "small", tier: "silver")))
        try await log.run(AssignCustomerManager(customerId: "c1", managerId: "m1"))
        try await log.run(AddContact(customerId: "c1", contactId: "ct1", name: "Carl Contact4711", email: Self.contactEmail, role: "CFO"))
        try await log.run(LogInteraction(customerId: "c1", interactionId: "i1", channel: .call, direction: .inbound, outcome: "reached",
                                         subject: "divorce-4711", notes: "private notes 4711"))
        try await log.run(OpenOpportunity(opportunityId: "o1", customerId: "c1", processId: "p", title: "\(Self.annName): fleet-4711",
                                          cycleKind: .newBusiness, amount: try log.eur("1000.00"), expectedCloseDate: log.now + 30 * 86_400,
                                          ownerId: "m1", fields: ["decisionMaker": "Dana Decider4711"]))
        try await log.run(SetOpportunityFields(opportunityId: "o1", fields: ["budget": "budget-4711"]))
        try await log.run(MoveOpportunityStage(opportunityId: "o1", toStage: "proposal"))
        try await log.run(WinOpportunity(opportunityId: "o1", amount: try log.eur("1100.00"), productIds: ["A"]))
        try await log.run(OpenOpportunity(opportunityId: "o2", customerId: "c1", processId: "p", title: "\(Self.annName): fleet-4711 extension",
                                          cycleKind: .upSell, amount: try log.eur("500.00"), expectedCloseDate: log.now + 60 * 86_400, ownerId: "m1"))
        try await log.run(PlaceOrder(orderId: "or1", customerId: "c1", lines: [SalesLineItem(productId: "A", quantity: 2, unitPrice: try log.eur("550.00"))]))
        try await log.run(IssueInvoice(invoiceId: "in1", customerId: "c1", orderId: "or1", total: try log.eur("1100.00"),
                                       issueDate: log.now, dueDate: log.now + 14 * 86_400))
        try await log.run(RecordPayment(invoiceId: "in1", paymentId: "pay1", amount: try log.eur("600.00"), method: .card))
        try await log.run(OpenCase(caseId: "k1", customerId: "c1", channel: .call, category: .technical, priority: .high,
                                   subject: "heater-4711 broken", description: "Ann's heater-4711 at home"))
        try await log.run(SendSurvey(surveyId: "s1", customerId: "c1", caseId: "k1", channel: .email))
        try await log.run(AnswerSurvey(surveyId: "s1", csat: 4, nps: 8, comment: "Ann says heater-4711 is fine"))
        try await log.run(AssignWorkTask(taskId: "t1", managerId: "m1", customerId: "c1", title: "call-ann-4711 about the heater",
                                         kind: .call, dueAt: log.now + 86_400))

        try await log.register("c2", name: "Bob Kept", email: Self.keptEmail)
        try await log.run(LogInteraction(customerId: "c2", interactionId: "i2", channel: .email, direction: .outbound, outcome: "sent",
                                         subject: "bob-subject-0815"))
        try await log.run(OpenCase(caseId: "k2", customerId: "c2", channel: .email, category: .billing, priority: .normal,
                                   subject: "bob-case-0815", description: "kept"))
        try await log.run(AssignWorkTask(taskId: "t2", managerId: "m1", customerId: "c2", title: "bob-task-0815", kind: .email, dueAt: log.now + 86_400))
        try await log.run(OpenOpportunity(opportunityId: "o3", customerId: "c2", processId: "p", title: "bob-deal-0815", cycleKind: .newBusiness,
                                          amount: try log.eur("300.00"), expectedCloseDate: log.now + 30 * 86_400, ownerId: "m1"))
        try await log.register("c3", name: "Cleo Absorbed4711", email: Self.cleoEmail)
        try await log.run(LogInteraction(customerId: "c3", interactionId: "i3", channel: .call, direction: .inbound, outcome: "reached",
                                         subject: "cleo-call-4711"))
        log.now += 3600
        _ = try await log.customers.merge(MergeCustomers(survivorId: "c2", absorbedId: "c3", reason: "same person"),
                                          context: DecisionContext(now: log.now), metadata: log.metadata)
    }

    /// Every read model's checksum, by projector.
    func checksums(_ engine: ProjectionEngine) throws -> [String: String] {
        try Dictionary(uniqueKeysWithValues: engine.names.map { ($0, try engine.checksum(of: $0).description) })
    }

    /// Cube answers that sum every measure of every cube.
    func cubeTotals(_ engine: ProjectionEngine) throws -> [CubeAnswer] {
        try engine.read("cubes") { reader in
            try CubeKind.allCases.flatMap { cube in
                [try CubeQuery(cube: cube).answer(reader), try CubeQuery(cube: cube, groupBy: [.day, .manager, .team, .region]).answer(reader)]
            }.map { answer in
                var answer = answer
                answer.position = 0
                return answer
            }
        }
    }

    @Test("after an erasure every read model shows the marker, keeps every other fact, equals a fresh rebuild, and no projection file holds the values")
    func erasure() async throws {
        let log = try ProtectedLog()
        try await history(log)
        let engine = try log.engine()
        try engine.catchUp()

        // Before: the values are in the read models (and so in their files): the search can find them.
        #expect(ProtectedLog.files(containing: Self.annEmail, under: log.projections).contains { $0.hasPrefix("customer360/") })
        let before360 = try #require(try engine.read("customer360") { try Customer360.query($0, customerId: "c1") })
        #expect(before360.email == Self.annEmail && before360.contacts.first?.email == Self.contactEmail)
        let cubesBefore = try cubeTotals(engine)
        let cubeChecksumBefore = try engine.checksum(of: "cubes")
        let bob360Before = try #require(try engine.read("customer360") { try Customer360.query($0, customerId: "c2") })
        // An as-of snapshot taken before the erasure holds the values too.
        let snapshot = try await engine.asOf("customer360", position: log.store.headWatch.head)
        #expect(try snapshot.read { try Customer360.query($0, customerId: "c1") }?.email == Self.annEmail)
        let generationsBefore = Dictionary(uniqueKeysWithValues: engine.status().map { ($0.name, $0.generation) })

        let outcome = try await log.erase("c1")
        #expect(Set(outcome.erasedSubjects) == ["customer:c1", "contact:ct1", "opportunity:o1", "opportunity:o2"])
        try await log.erase("c3")
        try engine.catchUp()

        // Customer 360: the marker in every personal value; every other fact as before.
        let ann = try #require(try engine.read("customer360") { try Customer360.query($0, customerId: "c1") })
        #expect(ann.name == Self.marker && ann.email == Self.marker && ann.phone == Self.marker)
        #expect(ann.address == nil && ann.organisation == nil, "absent values stay absent")
        #expect(ann.contacts.map(\.contactId) == ["ct1"])
        #expect(ann.contacts.first.map { [$0.name, $0.email, $0.role] } == [Self.marker, Self.marker, Self.marker])
        #expect(ann.contacts.first?.phone == nil)
        #expect(ann.recentInteractions.map(\.subject) == [Self.marker])
        #expect(ann.recentInteractions.map(\.outcome) == ["reached"])
        #expect(ann.openOpportunities.map(\.title) == [Self.marker])
        #expect(ann.openOpportunities.map(\.amount) == before360.openOpportunities.map(\.amount))
        #expect(ann.openCases.map(\.subject) == [Self.marker])
        #expect(ann.openCases.map(\.priority) == [.high])
        #expect(ann.balances == before360.balances)
        #expect(ann.lifecycleState == before360.lifecycleState && ann.registeredAt == before360.registeredAt)
        #expect(ann.classification == before360.classification && ann.managerId == "m1" && ann.channel == before360.channel)
        // Bob is kept; the interaction of Cleo (absorbed into Bob, then erased) shows the marker in Bob's list.
        let bob = try #require(try engine.read("customer360") { try Customer360.query($0, customerId: "c2") })
        #expect(bob.name == "Bob Kept" && bob.email == Self.keptEmail)
        #expect(Dictionary(uniqueKeysWithValues: bob.recentInteractions.map { ($0.interactionId, $0.subject) }) == ["i2": "bob-subject-0815", "i3": Self.marker])
        #expect(bob.balances == bob360Before.balances && bob.openCases == bob360Before.openCases)
        let cleo = try #require(try engine.read("customer360") { try Customer360.query($0, customerId: "c3") })
        #expect(cleo.name == Self.marker && cleo.email == Self.marker && cleo.mergedInto == "c2")

        // The customer list sorts and shows the marker.
        let list = try engine.read("customer360") { try CustomerList.query($0, sort: .name) }
        #expect(list.items.map(\.name) == ["Bob Kept", Self.marker])

        // Service queue, follow-ups, pipeline and sales cycle.
        let queue = try engine.read("serviceQueue") { try ServiceQueue.open($0, now: log.now) }
        #expect(Dictionary(uniqueKeysWithValues: queue.items.map { ($0.item.caseId, $0.item.subject) }) == ["k1": Self.marker, "k2": "bob-case-0815"])
        let tasks = try engine.read("followUps") { try FollowUps.forManager($0, managerId: "m1", now: log.now) }
        #expect(Dictionary(uniqueKeysWithValues: (tasks.due + tasks.overdue).map { ($0.taskId, $0.title) }) == ["t1": Self.marker, "t2": "bob-task-0815"])
        let cards = try engine.read("pipeline") { try PipelineBoard.cards($0, stage: "qualification") }
        #expect(Dictionary(uniqueKeysWithValues: cards.items.map { ($0.opportunityId, $0.title) }) == ["o2": Self.marker, "o3": "bob-deal-0815"])
        let won = try #require(try engine.read("salesCycle") { try SalesCycleQueries.opportunity($0, "o1") })
        let wonAmount = try log.eur("1100.00")
        #expect(won.title == Self.marker && won.status == .won && won.amount == wonAmount)
        #expect(won.visits.map(\.stage) == ["qualification", "proposal"])

        // Analytics: not a single cube cell moved.
        #expect(try cubeTotals(engine) == cubesBefore)
        #expect(try engine.checksum(of: "cubes") == cubeChecksumBefore)

        // Each projector that keeps personal data rebuilt itself after the erasure (a purge), and
        // the rebuild equalled the live read model it replaced.
        for status in engine.status() {
            let keeps = StandardProjectors.all.first { $0.name == status.name }!.keepsPersonalData
            if keeps {
                #expect(status.generation > generationsBefore[status.name]!, "\(status.name) was not rebuilt after the erasure")
                #expect(status.lastRebuild?.checksumsMatch == true, "\(status.name): the live read model differs from its rebuild")
            } else {
                #expect(status.generation == generationsBefore[status.name]!, "\(status.name) keeps no personal data; nothing to purge")
            }
        }

        // A fresh engine that never saw the values builds the same read models, byte for byte.
        let live = try checksums(engine)
        let fresh = try log.engine(directory: log.path + "/fresh", batchSize: 5)
        try fresh.catchUp()
        #expect(try checksums(fresh) == live)
        #expect(fresh.status().allSatisfy { $0.generation == 1 }, "a read model built after the erasure has nothing to purge")

        // No projection file holds any erased value, in live pages or stale ones; the kept
        // customer's e-mail is still found, so the search works.
        for text in Self.erasedTexts {
            #expect(ProtectedLog.files(containing: text, under: log.projections) == [], "\(text) is still in a projection file")
        }
        #expect(ProtectedLog.files(containing: Self.keptEmail, under: log.projections).contains { $0.hasPrefix("customer360/") })
        // The as-of snapshot that held the values is gone; one taken now reads the marker, even for
        // a position before the erasure.
        #expect(!FileManager.default.fileExists(atPath: snapshot.directory))
        let past = try await engine.asOf("customer360", position: outcome.position - 1)
        #expect(try past.read { try Customer360.query($0, customerId: "c1") }?.email == Self.marker)

        // The log itself was never edited.
        #expect(try log.store.verify().isIntact)
    }

    @Test("a payload decoded before an erasure is not served from the shared cache after it")
    func decodedCacheAfterErasure() async throws {
        let log = try ProtectedLog()
        try await log.register("c1", name: Self.annName, email: Self.annEmail)
        let feed = EventFeed(store: log.store, registry: log.registry, batchSize: 100, cache: DecodedEventCache(capacity: 64))
        let types: Set<String> = [CustomerRegistered.eventType]
        let first = try feed.next(after: 0, through: log.store.headWatch.head, types: types)
        #expect(first.events.compactMap { $0.as(CustomerRegistered.self)?.email } == [Self.annEmail])
        try await log.erase("c1")
        // The same positions again: the cache holds the opened payload, but the key is gone.
        let again = try feed.next(after: 0, through: log.store.headWatch.head, types: types)
        #expect(again.events.compactMap { $0.as(CustomerRegistered.self)?.email } == [Self.marker])
        #expect(again.events.compactMap { $0.as(CustomerRegistered.self)?.name } == [Self.marker])
    }

    @Test("read models refuse sealed events when they decode without the keys (every person would read as erased)")
    func sealedEventsNeedTheKeys() async throws {
        let log = try ProtectedLog()
        try await log.register("c1", name: Self.annName, email: Self.annEmail)
        let blind = try ProjectionEngine(store: log.store, projectors: [Customer360Projector(), StateCycleProjector()],
                                         directory: log.path + "/blind")
        #expect {
            try blind.catchUp()
        } throws: { error in
            guard case ProjectionError.parked(_, _, let reason) = error else { return false }
            return reason.contains("without the data keys")
        }
        #expect(try blind.read("customer360") { try Customer360.query($0, customerId: "c1") } == nil)
        // A read model that uses no personal value folds the same events correctly without the keys.
        let stateCycle = try blind.status(of: "stateCycle")
        #expect(stateCycle.state != .parked && stateCycle.checkpoint == log.store.headWatch.head)
    }

    @Test("a read model that applied an erasure before a stop is purged when it starts again")
    func purgeAfterRestart() async throws {
        let log = try ProtectedLog()
        try await log.register("c1", name: Self.annName, email: Self.annEmail)
        let directory = log.path + "/restart"
        do {
            let engine = try log.engine([Customer360Projector()], directory: directory)
            try engine.catchUp()
            try await log.erase("c1")
            // One step: the live read model applies the erasure; the process stops before the purge.
            #expect(try engine.runner("customer360").step())
            let record = try #require(try engine.runner("customer360").active.record())
            #expect(record.mayHoldErasedValues)
            #expect(try engine.status(of: "customer360").generation == 1)
        }
        let engine = try log.engine([Customer360Projector()], directory: directory)
        try engine.catchUp()
        let status = try engine.status(of: "customer360")
        #expect(status.generation == 2 && status.lastRebuild?.checksumsMatch == true)
        #expect(try engine.runner("customer360").active.record()?.mayHoldErasedValues == false)
        #expect(ProtectedLog.files(containing: Self.annEmail, under: directory) == [])
        #expect(try engine.read("customer360") { try Customer360.query($0, customerId: "c1") }?.email == Self.marker)
    }
}
