@testable import Domain
import EventStore
import Foundation
import Testing

/// Imports a hand-written command file and checks what the log holds afterwards.
@Suite("Command import")
struct ImportTests {
    let manager = Actor(id: "mgr-07", role: "manager")
    let web = Source(clientAddress: "10.20.1.17", userAgent: "crm-web/3.2", host: "ws-017")
    let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01

    func record(_ n: Int, _ command: AnyCommand, reason: String? = nil) -> CommandRecord {
        CommandRecord(id: UUID.derived(from: UUID(uuidString: "00000000-0000-4000-8000-000000000000")!, index: n),
                      at: start.addingTimeInterval(Double(n) * 3600), actor: manager, source: web, reason: reason, command: command)
    }

    func file(_ records: [CommandRecord]) throws -> String {
        let path = NSTemporaryDirectory() + "crm-import-\(UUID().uuidString).ndjson"
        var text = Data()
        for record in records {
            text.append(try EventRegistry.encoder.encode(record))
            text.append(UInt8(ascii: "\n"))
        }
        try text.write(to: URL(fileURLWithPath: path))
        return path
    }

    var commands: [CommandRecord] {
        get throws {
            let eur = { (amount: String) throws -> Money in try Money(amount, "EUR") }
            return [
                record(0, .single(DefineSalesProcess(processId: "std", name: "Standard", stages: [
                    SalesStage(name: "qualify", winProbability: 10), SalesStage(name: "propose", winProbability: 50, requiredFields: ["budget"]),
                    SalesStage(name: "negotiate", winProbability: 80),
                ]))),
                record(1, .single(RegisterCustomer(customerId: "c1", kind: .organisation, name: "Chen Jie", organisation: "Jade Trading", email: "chen@jade.example", channel: .phone))),
                record(2, .single(RegisterCustomer(customerId: "c2", kind: .organisation, name: "Chen Jie", organisation: "Jade Trading Ltd", email: "chen@jade.example", channel: .webForm, registerAnyway: true))),
                record(3, .mergeCustomers(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "same company")), reason: "duplicate registration"),
                record(4, .single(OpenOpportunity(opportunityId: "o1", customerId: "c1", processId: "std", title: "Fleet", cycleKind: .newBusiness,
                                                  amount: try eur("12000"), expectedCloseDate: start.addingTimeInterval(90 * 86400), ownerId: "mgr-07"))),
                // Refused: the target stage needs `budget`.
                record(5, .single(MoveOpportunityStage(opportunityId: "o1", toStage: "propose"))),
                record(6, .single(SetOpportunityFields(opportunityId: "o1", fields: ["budget": "15000"]))),
                record(7, .single(MoveOpportunityStage(opportunityId: "o1", toStage: "propose"))),
                // Refused: the absorbed customer accepts no commands.
                record(8, .single(TagCustomer(customerId: "c2", tag: "vip"))),
                record(9, .single(CaptureLead(leadId: "l1", source: .webForm, name: "Ana Ruiz", email: "ana@ruiz.example"))),
                record(10, .single(QualifyLead(leadId: "l1", reason: "budget confirmed"))),
                record(11, .convertLead(ConvertLead(leadId: "l1", customerId: "c3", opportunityId: "o2", processId: "std",
                                                    amount: try eur("800"), expectedCloseDate: start.addingTimeInterval(30 * 86400), ownerId: "mgr-07"))),
                // Depends on the customer the conversion created in the same batch.
                record(12, .single(LogInteraction(customerId: "c3", interactionId: "i1", channel: .call, direction: .outbound, durationSeconds: 300, outcome: "reached"))),
            ]
        }
    }

    @Test("commands are decided in batches; refusals are counted; each event keeps its command's actor, source and time", arguments: [1, 3, 100])
    func importFile(batchSize: Int) async throws {
        let f = try DomainFixture()
        let path = try file(try commands)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let importer = CommandImporter(customers: f.customers, batchSize: batchSize)
        var reports = 0
        let report = try await importer.importFile(at: path) { _ in reports += 1 }
        #expect(report.commands == 13)
        #expect(report.rejected == ["customer-merged": 1, "required-fields-missing": 1])
        #expect(report.refusals.map(\.line) == [6, 9])
        #expect(report.applied == 11)
        #expect(reports >= 1)
        #expect(try f.types(of: "customer-c2") == ["CustomerRegistered", "DuplicateAcknowledged", "CustomerAbsorbed"])
        #expect(try f.types(of: "customer-c3") == ["CustomerRegistered", "InteractionLogged"])
        #expect(try f.types(of: "lead-l1") == ["LeadCaptured", "LeadQualified", "LeadConverted"])
        #expect(try f.types(of: "opportunity-o1").count == 3)
        let merged = try #require(try f.store.readStream("customer-c1").last)
        #expect(merged.type == "CustomerMerged")
        #expect(merged.actor == manager)
        #expect(merged.source == web)
        #expect(merged.reason == "duplicate registration")
        let event = try f.handler.registry.decode(merged)
        #expect(event.occurredAt == start.addingTimeInterval(3 * 3600))
        #expect(report.events == Int(f.head))
    }

    @Test("the report names the first ten refused commands by line, command id and type, code and message")
    func namedRefusals() async throws {
        let f = try DomainFixture()
        // 13 commands (refused: lines 6 and 9), then 12 tags for a customer that does not exist.
        let records = try commands + (13..<25).map { record($0, .single(TagCustomer(customerId: "nobody", tag: "vip"))) }
        let path = try file(records)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try await CommandImporter(customers: f.customers, batchSize: 5).importFile(at: path)
        #expect(report.rejectedCount == 14)
        #expect(report.rejected["not-found"] == 12)
        #expect(report.refusals.count == ImportProgress.namedRefusals)
        #expect(report.refusals.map(\.line) == [6, 9, 14, 15, 16, 17, 18, 19, 20, 21])
        let first = report.refusals[0]
        #expect(first.commandId == records[5].id)
        #expect(first.commandType == "MoveOpportunityStage")
        #expect(first.code == "required-fields-missing")
        #expect(first.message.contains("budget"))
        #expect(report.refusals[1] == ImportProgress.Refusal(line: 9, commandId: records[8].id, commandType: "TagCustomer", code: "customer-merged",
                                                              message: "customer c2 was merged into c1; send commands to c1"))
        #expect(report.refusals[2].message == "customer nobody does not exist")
        #expect(report.refusals[2].description == "line 14: TagCustomer \(records[13].id.uuidString) refused (not-found): customer nobody does not exist")
    }

    @Test("refusals keep their line numbers across empty lines")
    func refusalLineNumbers() async throws {
        let f = try DomainFixture()
        let path = try file([])
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = Data("\n\n".utf8)
        text.append(try EventRegistry.encoder.encode(record(0, .single(TagCustomer(customerId: "nobody", tag: "vip")))))
        text.append(Data("\n".utf8))
        try text.write(to: URL(fileURLWithPath: path))
        let report = try await CommandImporter(customers: f.customers).importFile(at: path)
        #expect(report.refusals.map(\.line) == [3])
    }

    @Test("importing the same file again writes nothing")
    func reimport() async throws {
        let f = try DomainFixture()
        let path = try file(try commands)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try await CommandImporter(customers: f.customers, batchSize: 4).importFile(at: path)
        let head = f.head
        let fresh = CustomerService(handler: CommandHandler(store: f.store))
        let second = try await CommandImporter(customers: fresh, batchSize: 4).importFile(at: path)
        #expect(f.head == head)
        #expect(second.events == 0)
        #expect(second.alreadyImported == first.applied)
        #expect(try f.store.verify().isIntact)
    }

    @Test("a command repeated in the next batch counts as imported, though that batch is decided before the first is on disk")
    func repeatedAcrossOverlappedBatches() async throws {
        let f = try DomainFixture()
        let records = try commands
        let path = try file(records + [records[12]])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try await CommandImporter(customers: f.customers, batchSize: 1).importFile(at: path)
        #expect(report.commands == 14)
        #expect(report.applied == 11)
        #expect(report.alreadyImported == 1)
        #expect(try f.types(of: "customer-c3") == ["CustomerRegistered", "InteractionLogged"])
        #expect(report.events == Int(f.head))
        #expect(try f.store.verify().isIntact)
    }

    @Test("a batch whose overlapped append fails is decided against the log again and appended")
    func failedOverlappedAppendIsRedone() async throws {
        let f = try DomainFixture()
        let importer = CommandImporter(customers: f.customers, batchSize: 1)
        let register = record(1, .single(RegisterCustomer(customerId: "c9", kind: .person, name: "Ines Duarte", channel: .phone)))
        let tag = record(2, .single(TagCustomer(customerId: "c9", tag: "vip")))
        let batch = CommandBatch(handler: importer.handler)
        var report = ImportProgress()
        try await importer.apply([register], lines: [1], in: batch, into: &report)
        let (outcome, emitted) = try importer.decide([tag], lines: [2], in: batch)
        let prepared = try #require(batch.prepareCommit())
        // Another writer moves the stream on before the append: its expected version is stale.
        _ = try await f.run(TagCustomer(customerId: "c9", tag: "gold"))
        let inFlight = CommandImporter.InFlightCommit(prepared, handler: importer.handler, records: [tag], lines: [2],
                                                      outcome: outcome, emitted: emitted, started: .now)
        #expect(try await importer.settle(inFlight, in: batch, into: &report))
        #expect(try f.types(of: "customer-c9") == ["CustomerRegistered", "CustomerTagged", "CustomerTagged"])
        #expect(report.applied == 2)
        #expect(report.events == 2)
        #expect(try f.store.verify().isIntact)
    }

    @Test("a malformed line stops the import with its line number, after the batches before it")
    func malformed() async throws {
        let f = try DomainFixture()
        let path = try file(Array(try commands.prefix(2)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"id":"x","type":"Nope"}"#.utf8))
        try handle.close()
        await #expect {
            try await CommandImporter(customers: f.customers, batchSize: 1).importFile(at: path)
        } throws: { error in
            if case ImportError.malformedLine(3, _) = error { true } else { false }
        }
        #expect(f.head == 2)
    }

    @Test("command records round-trip through JSON with their type names")
    func recordCoding() throws {
        for record in try commands {
            let data = try EventRegistry.encoder.encode(record)
            let back = try EventRegistry.decoder.decode(CommandRecord.self, from: data)
            #expect(back.command.type == record.command.type)
            #expect(try EventRegistry.encoder.encode(back) == data)
        }
        #expect(throws: (any Error).self) {
            try EventRegistry.decoder.decode(CommandRecord.self, from: Data(#"{"id":"00000000-0000-4000-8000-000000000000","at":"2025-01-01T00:00:00.000Z","actor":{"id":"a","role":"b"},"source":{"clientAddress":"x","userAgent":"y","host":"z"},"type":"Unknown","command":{}}"#.utf8))
        }
    }
}
