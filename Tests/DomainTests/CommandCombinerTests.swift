import Domain
import EventStore
import Foundation
import Testing

/// Commands queued on one stream are decided one after the other against each other's events and
/// appended together (`CommandCombiner`): no command of this process loses its stream's version to
/// another, and each caller still gets its own answer.
@Suite("Combined commands on one stream")
struct CommandCombinerTests {
    typealias Answer = (n: Int, id: String, customer: String, result: Result<CommandHandler.Outcome, any Error>)

    /// A phone call logged on `customer` under `id`.
    static func interaction(_ customer: String, _ id: String, duration: Int? = nil) -> LogInteraction {
        LogInteraction(customerId: customer, interactionId: id, channel: .call, direction: .inbound, durationSeconds: duration, outcome: "answered")
    }

    /// Metadata naming command `n` as its actor, with a correlation id of its own.
    static func metadata(_ n: Int) -> AppendMetadata {
        AppendMetadata(actor: Actor(id: "user-\(n)", role: "manager"), source: Source(clientAddress: "192.0.2.\(n % 250)", userAgent: "tests", host: "test"),
                       correlationId: UUID(), reason: "command \(n)")
    }

    /// Runs `count` commands (`command(n)`, interaction id `i<n>` by default, on `customers` round
    /// robin) from `tasks` concurrent tasks through `handler`; every command's answer.
    static func runConcurrently(_ handler: CommandHandler, customers: [String], count: Int, tasks: Int, context: DecisionContext,
                                metadata: @escaping @Sendable (Int) -> AppendMetadata = { Self.metadata($0) },
                                command: @escaping @Sendable (Int, String) -> LogInteraction = { n, customer in interaction(customer, "i\(n)") })
        async -> [Answer] {
        await withTaskGroup(of: [Answer].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var answers: [Answer] = []
                    for n in stride(from: task, to: count, by: tasks) {
                        let customer = customers[n % customers.count]
                        let command = command(n, customer)
                        do {
                            let outcome = try await handler.execute(command, context: context, metadata: metadata(n))
                            answers.append((n, command.interactionId, customer, .success(outcome)))
                        } catch {
                            answers.append((n, command.interactionId, customer, .failure(error)))
                        }
                    }
                    return answers
                }
            }
            return await group.reduce(into: []) { $0 += $1 }.sorted { $0.n < $1.n }
        }
    }

    static func failures(_ answers: [Answer]) -> [(Int, any Error)] {
        answers.compactMap { answer in if case .failure(let error) = answer.result { (answer.n, error) } else { nil } }
    }

    /// The interaction id an `InteractionLogged` record carries.
    static func interactionId(_ recorded: RecordedEvent, _ registry: EventRegistry) throws -> String {
        try #require(try registry.decode(recorded) as? InteractionLogged).interactionId
    }

    @Test("200 interactions from 64 tasks on 2 customers all succeed with at most 2 attempts each")
    func hotStreamsWithoutConflicts() async throws {
        let f = try DomainFixture()
        try await f.register("a")
        try await f.register("b")
        let handler = CommandHandler(store: f.store, maxAttempts: 2)
        let answers = await Self.runConcurrently(handler, customers: ["a", "b"], count: 200, tasks: 64, context: f.context)
        let failures = Self.failures(answers)
        #expect(failures.count == 0, "\(failures.count) of 200 failed, e.g. \(failures.first.map { "\($0.1)" } ?? "")")
        #expect(try f.store.readStream("customer-a").count == 101)
        #expect(try f.store.readStream("customer-b").count == 101)
        // Commands were decided on each other's events: combined into one append, or decided on
        // the batch before while it was still queued to the writer (which of the two depends on
        // how the tasks interleave).
        #expect(handler.combinedCommands + handler.pipelinedAppends > 0)
    }

    @Test("a batch that fails voids what was decided on top of it: refusals decided on its events are decided again on the log")
    func failedBatchBelow() async throws {
        let f = try DomainFixture()
        let handler = CommandHandler(store: f.store)
        let context = f.context
        for round in 0..<20 {
            let customer = "r\(round)"
            try await f.register(customer)
            // The registration's event id, given to an interaction: its append fails (the id is
            // stored with other content) after the commands behind it were decided on its event.
            let taken = try #require(try f.store.readStream("customer-\(customer)").first).id
            async let doomed: (any Error)? = {
                do {
                    _ = try await handler.execute(Self.interaction(customer, "i1"), context: context, metadata: Self.metadata(0), eventIds: [taken])
                    return nil
                } catch { return error }
            }()
            async let answers = Self.runConcurrently(handler, customers: [customer], count: 8, tasks: 8, context: context,
                                                     command: { _, customer in Self.interaction(customer, "i1") })
            let (failure, all) = await (doomed, answers)
            guard case .eventIdConflict? = failure as? EventStoreError else {
                Issue.record("round \(round): the interaction with a taken event id ended with \(String(describing: failure))")
                continue
            }
            // Exactly one of the eight logs i1; the others are refused because it did, never
            // because the doomed one seemed to.
            let succeeded = all.filter { (try? $0.result.get()) != nil }
            #expect(succeeded.count == 1, "round \(round): \(succeeded.count) of 8 logged i1")
            for (n, error) in Self.failures(all) {
                #expect(error as? DomainError == .alreadyExists(kind: "interaction", id: "i1"), "round \(round), command \(n): \(error)")
            }
            let stored = try f.store.readStream("customer-\(customer)")
            #expect(stored.count == 2)
        }
    }

    @Test("a command that breaks a rule in a combined batch gets its error alone; the others are appended with their own metadata")
    func ruleBrokenInBatch() async throws {
        let f = try DomainFixture()
        try await f.register("a")
        let handler = CommandHandler(store: f.store, maxAttempts: 2)
        // Command 7 has an impossible duration; command 13 logs interaction i3 again, so whichever
        // of 3 and 13 comes second is refused against the state the first one's event left.
        let answers = await Self.runConcurrently(handler, customers: ["a"], count: 40, tasks: 40, context: f.context, command: { n, customer in
            switch n {
            case 7: Self.interaction(customer, "i7", duration: -1)
            case 13: Self.interaction(customer, "i3")
            default: Self.interaction(customer, "i\(n)")
            }
        })
        #expect(handler.combinedCommands + handler.pipelinedAppends > 0)
        let failures = Self.failures(answers)
        #expect(failures.count == 2)
        let invalidDuration = DomainError.invalid(field: "durationSeconds", reason: "must be between 0 and 86400")
        let duplicate = DomainError.alreadyExists(kind: "interaction", id: "i3")
        for (n, error) in failures {
            let refusal = error as? DomainError
            switch n {
            case 7: #expect(refusal == invalidDuration)
            case 3, 13: #expect(refusal == duplicate)
            default: Issue.record("command \(n) failed: \(error)")
            }
        }
        #expect(failures.filter { $0.0 == 3 || $0.0 == 13 }.count == 1)
        let stored = try f.store.readStream("customer-a")
        #expect(stored.count == 1 + 38)
        for answer in answers {
            guard case .success(let outcome) = answer.result else { continue }
            let position = try #require(outcome.positions.first)
            let recorded = try #require(try f.store.event(at: position))
            let expected = Self.metadata(answer.n)
            #expect(recorded.actor == expected.actor)
            #expect(recorded.source == expected.source)
            #expect(recorded.reason == expected.reason)
            #expect(try Self.interactionId(recorded, f.handler.registry) == answer.id)
        }
        // Every stored event's correlation id is its own command's: no two commands share one.
        #expect(Set(stored.dropFirst().map(\.correlationId)).count == 38)
    }

    @Test("each caller gets its own positions and stream version, and the cache ends at the last committed state")
    func ownOutcomes() async throws {
        let f = try DomainFixture()
        try await f.register("a")
        let handler = CommandHandler(store: f.store, maxAttempts: 2)
        let answers = await Self.runConcurrently(handler, customers: ["a"], count: 100, tasks: 32, context: f.context)
        #expect(Self.failures(answers).isEmpty)
        var versions: Set<UInt64> = []
        var positions: Set<UInt64> = []
        for answer in answers {
            let outcome = try answer.result.get()
            #expect(outcome.eventTypes == ["InteractionLogged"])
            #expect(outcome.positions.count == 1)
            #expect(!outcome.wasAlreadyStored)
            let recorded = try #require(try f.store.event(at: outcome.positions[0]))
            #expect(recorded.stream == "customer-a")
            #expect(recorded.streamVersion == outcome.streamVersion)
            #expect(try Self.interactionId(recorded, f.handler.registry) == answer.id)
            versions.insert(outcome.streamVersion)
            positions.insert(outcome.positions[0])
        }
        #expect(versions == Set(2...101))
        #expect(positions.count == 100)
        let replayed = try CommandHandler(store: f.store).load(Customer.self, id: "a")
        let replayedBefore = handler.replayedEvents
        let cached = try handler.load(Customer.self, id: "a")
        #expect(handler.replayedEvents == replayedBefore)  // nothing left to read: the cache is current
        #expect(cached.version == 101)
        #expect(cached.state == replayed.state)
    }

    @Test("a retry with the same event ids returns the stored copies, alone and among combined commands")
    func idempotentRetry() async throws {
        let f = try DomainFixture()
        try await f.register("a")
        let handler = CommandHandler(store: f.store, maxAttempts: 2)
        let tag = TagCustomer(customerId: "a", tag: "vip")
        let ids = [UUID()]
        let first = try await handler.execute(tag, context: f.context, metadata: f.metadata, eventIds: ids)
        #expect(!first.wasAlreadyStored)
        // Untagged meanwhile, so deciding the tag again gives the same event with the same id.
        try await handler.execute(TagCustomer(customerId: "a", tag: "vip", tagged: false), context: f.context, metadata: f.metadata)
        let retry = try await handler.execute(tag, context: f.context, metadata: f.metadata, eventIds: ids)
        #expect(retry.wasAlreadyStored)
        #expect(retry.positions == first.positions)
        #expect(retry.streamVersion == first.streamVersion)

        let (context, metadata) = (f.context, f.metadata)
        async let interactions = Self.runConcurrently(handler, customers: ["a"], count: 30, tasks: 30, context: context)
        async let retries = withTaskGroup(of: CommandHandler.Outcome?.self) { group in
            for _ in 0..<5 { group.addTask { try? await handler.execute(tag, context: context, metadata: metadata, eventIds: ids) } }
            return await group.reduce(into: [CommandHandler.Outcome?]()) { $0.append($1) }
        }
        let (answers, retried) = await (interactions, retries)
        #expect(Self.failures(answers).isEmpty)
        #expect(retried.count == 5)
        for outcome in retried {
            #expect(outcome?.wasAlreadyStored == true)
            #expect(outcome?.positions == first.positions)
        }
        #expect(try f.store.readStream("customer-a").count == 3 + 30)
        #expect(try handler.load(Customer.self, id: "a").state == (try CommandHandler(store: f.store).load(Customer.self, id: "a").state))
    }

    @Test("commands combined while another writer appends to the same stream through the store lose nothing and write nothing twice")
    func foreignWriter() async throws {
        let f = try DomainFixture()
        try await f.register("a")
        let handler = CommandHandler(store: f.store)
        let (store, registry, context) = (f.store, f.handler.registry, f.context)
        let registered = try f.handler.load(Customer.self, id: "a").state
        let foreign = AppendMetadata(actor: Actor(id: "importer", role: "system"), source: Source(clientAddress: "", userAgent: "tests", host: "test"))
        async let answers = Self.runConcurrently(handler, customers: ["a"], count: 100, tasks: 32, context: context)
        async let written: Int = {
            var written = 0
            for k in 0..<30 {
                let events = try Self.interaction("a", "f\(k)").decide(registered, context)
                _ = try await store.append("customer-a", try await registry.encode(events, ids: nil), expected: .any, metadata: foreign)
                written += 1
            }
            return written
        }()
        let (all, foreignCount) = try await (answers, written)
        #expect(foreignCount == 30)
        let failures = Self.failures(all)
        for (n, error) in failures {
            guard case .concurrencyConflict? = error as? DomainError else {
                Issue.record("command \(n) failed: \(error)")
                continue
            }
        }
        let stored = try f.store.readStream("customer-a")
        #expect(stored.map(\.streamVersion) == Array(1...UInt64(stored.count)))
        let ids = try stored.dropFirst().map { try Self.interactionId($0, registry) }
        #expect(Set(ids).count == ids.count)  // nothing twice
        #expect(Set(ids) == Set((0..<30).map { "f\($0)" }).union(all.filter { (try? $0.result.get()) != nil }.map(\.id)))  // nothing lost
        #expect(stored.count == 1 + 30 + 100 - failures.count)
        #expect(try handler.load(Customer.self, id: "a").state == (try CommandHandler(store: f.store).load(Customer.self, id: "a").state))
    }
}
