import EventStore
import Foundation

/// Imports command files (NDJSON of `CommandRecord`) through the same decisions as live commands,
/// in batches: each batch of commands is decided in memory (`CommandBatch`) and appended in one
/// atomic, durable transaction.
///
/// Re-importing a file is safe: event ids derive from command ids, and a command whose first event
/// is already stored is skipped.
public final class CommandImporter {
    public let customers: CustomerService
    public let conversion: LeadConversion
    public let configuration: DomainConfiguration
    public let batchSize: Int
    /// Event ids derived per command; more than any command produces.
    static let idsPerCommand = 8

    public init(customers: CustomerService, configuration: DomainConfiguration = .standard, batchSize: Int = 2000) {
        self.customers = customers
        conversion = LeadConversion(customers: customers)
        self.configuration = configuration
        self.batchSize = max(1, batchSize)
    }

    var handler: CommandHandler { customers.handler }

    /// Imports every command of the file at `path`, calling `progress` after each batch.
    ///
    /// Three stages overlap: the next batch of lines is read and decoded on another task, the
    /// current batch is decided, and the batch before it is appended (sealed, written, synced)
    /// on a third. A batch is decided against the states the previous one left, before that one
    /// is on disk; if its append fails, both are decided and appended again one after the other
    /// (`apply`), which also names the error if it persists. So `decodeTime`, `decideTime` and
    /// `appendTime` in the report overlap.
    public func importFile(at path: String, progress: (ImportProgress) -> Void = { _ in }) async throws -> ImportProgress {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportError.unreadable(path) }
        defer { try? handle.close() }
        var report = ImportProgress()
        report.totalBytes = Int64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0)
        try customers.rebuildIndex()
        let batch = CommandBatch(handler: handler)
        let clock = ContinuousClock()
        var decoded = try CommandFileReader(handle: handle, batchSize: batchSize).next()
        var inFlight: InFlightCommit?
        while let current = decoded.batch {
            let reader = decoded.reader
            async let following = reader.next()
            report.decodeTime += current.decodeTime
            report.commands += current.records.count
            report.bytesRead = current.bytesRead
            do {
                let deciding = clock.now
                if inFlight == nil { try batch.begin() }
                // Commands of the batch in flight count as imported, as its commit will have them.
                let (outcome, emitted) = try decide(current.records, lines: current.lines, in: batch, alsoStored: inFlight?.emitted ?? [])
                report.decideTime += clock.now - deciding
                if let previous = inFlight {
                    inFlight = nil
                    if try await settle(previous, in: batch, into: &report) {
                        // What this batch was decided on was not in the log: this one again too.
                        try await apply(current.records, lines: current.lines, in: batch, into: &report)
                        progress(report)
                        decoded = try await following
                        continue
                    }
                    progress(report)
                }
                inFlight = InFlightCommit(batch.prepareCommit(), handler: handler, records: current.records, lines: current.lines,
                                          outcome: outcome, emitted: emitted, started: clock.now)
                decoded = try await following
            } catch {
                // The batches before the failure are imported, as without the overlap.
                if let previous = inFlight { try await settle(previous, in: batch, into: &report) }
                progress(report)
                throw error
            }
        }
        if let previous = inFlight { try await settle(previous, in: batch, into: &report) }
        progress(report)
        return report
    }

    /// Completes a commit in flight: records it, or, if its append failed, drops everything
    /// decided since (it rested on that append) and decides and appends its batch again, which
    /// throws if that fails too. True when it had to be decided again.
    @discardableResult
    func settle(_ inFlight: InFlightCommit, in batch: CommandBatch, into report: inout ImportProgress) async throws -> Bool {
        guard await !inFlight.finish(in: batch, into: &report) else { return false }
        batch.discard()
        try await apply(inFlight.records, lines: inFlight.lines, in: batch, into: &report)
        return true
    }

    /// A decided batch whose append runs on a task of its own.
    struct InFlightCommit {
        let prepared: CommandBatch.PreparedCommit?
        let append: Task<[AppendResult], any Error>?
        let records: [CommandRecord]
        let lines: [Int]
        let outcome: ImportProgress
        /// The first event ids of the commands that emitted events.
        let emitted: Set<UUID>
        let started: ContinuousClock.Instant

        init(_ prepared: CommandBatch.PreparedCommit?, handler: CommandHandler, records: [CommandRecord], lines: [Int],
             outcome: ImportProgress, emitted: Set<UUID>, started: ContinuousClock.Instant) {
            self.prepared = prepared
            append = prepared.map { prepared in Task { try await prepared.append(through: handler) } }
            self.records = records
            self.lines = lines
            self.outcome = outcome
            self.emitted = emitted
            self.started = started
        }

        /// Waits for the append; on success records it in `batch` and `report` and returns true.
        func finish(in batch: CommandBatch, into report: inout ImportProgress) async -> Bool {
            if let prepared, let append {
                guard let results = try? await append.value else { return false }
                batch.finish(prepared, results: results)
            }
            report.appendTime += ContinuousClock.now - started
            report.count(outcome)
            return true
        }
    }

    /// Decides and appends one batch; redecides it (bounded) if another writer interfered.
    /// `lines` are the records' line numbers in the file, for naming refusals.
    public func apply(_ records: [CommandRecord], lines: [Int], into report: inout ImportProgress) async throws {
        try await apply(records, lines: lines, in: CommandBatch(handler: handler), into: &report)
    }

    func apply(_ records: [CommandRecord], lines: [Int], in batch: CommandBatch, into report: inout ImportProgress) async throws {
        let clock = ContinuousClock()
        for _ in 0..<handler.maxAttempts {
            let deciding = clock.now
            try batch.begin()
            let (outcome, _) = try decide(records, lines: lines, in: batch)
            let appending = clock.now
            report.decideTime += appending - deciding
            do {
                try await batch.commit()
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
            report.appendTime += clock.now - appending
            report.count(outcome)
            return
        }
        throw DomainError.concurrencyConflict(stream: "import batch", attempts: handler.maxAttempts)
    }

    /// Decides every command of a batch not imported before (in `batch`, uncommitted): what was
    /// applied, skipped as already imported (stored, or its first event id in `alsoStored`), and
    /// refused (with the line of each refusal); and the first event ids of those that emitted.
    func decide(_ records: [CommandRecord], lines: [Int], in batch: CommandBatch,
                alsoStored: Set<UUID> = []) throws -> (outcome: ImportProgress, emitted: Set<UUID>) {
        var outcome = ImportProgress()
        var emitted: Set<UUID> = []
        var firstIds: [UUID] = []
        firstIds.reserveCapacity(records.count)
        var idsByRecord: [[UUID]] = []
        idsByRecord.reserveCapacity(records.count)
        for record in records {
            let ids = UUID.derivedSequence(from: record.id, at: record.at, count: Self.idsPerCommand)
            idsByRecord.append(ids)
            firstIds.append(ids[0])
        }
        let stored = try handler.store.storedEventIds(firstIds)
        let eventsBefore = batch.eventCount
        for (index, record) in records.enumerated() {
            let ids = idsByRecord[index]
            if stored.contains(ids[0]) || alsoStored.contains(ids[0]) {
                outcome.alreadyImported += 1
                continue
            }
            let before = batch.eventCount
            do {
                try decide(record, ids: ids, in: batch)
                if batch.eventCount > before {
                    outcome.applied += 1
                    emitted.insert(ids[0])
                }
            } catch let error as DomainError {
                outcome.refuse(ImportProgress.Refusal(line: lines[index], commandId: record.id, commandType: record.command.type,
                                                      code: error.code, message: error.description))
            }
        }
        outcome.events = batch.eventCount - eventsBefore
        return (outcome, emitted)
    }

    /// One command's decision inside a batch, with the cross-customer work registration, profile
    /// changes, merges and lead conversions need (the same helpers as the live commands).
    func decide(_ record: CommandRecord, ids: [UUID], in batch: CommandBatch) throws {
        let context = DecisionContext(now: record.at, configuration: configuration)
        let metadata = record.metadata
        switch record.command {
        case .single(let command as RegisterCustomer):
            try customers.withKeysReserved(for: command, context: context, loader: batch) { context in
                try batch.execute(command, context: context, metadata: metadata, eventIds: ids)
            }
        case .single(let command as ChangeCustomerProfile):
            try batch.execute(command, context: context, metadata: metadata, eventIds: ids)
            try customers.refreshKeys(of: command.customerId, from: batch)
        case .single(let command):
            try batch.execute(command, context: context, metadata: metadata, eventIds: ids)
        case .mergeCustomers(let command):
            let decision = try customers.decide(command, context: context, loader: batch)
            try batch.emit(decision.survivor, to: Customer.self, id: command.survivorId, eventIds: Array(ids.prefix(decision.survivor.count)), metadata: metadata)
            try batch.emit(decision.absorbed, to: Customer.self, id: command.absorbedId, eventIds: Array(ids.dropFirst(decision.survivor.count)), metadata: metadata)
            customers.merged(command)
        case .convertLead(let command):
            try conversion.withKeysReserved(for: command, context: context, loader: batch) { context in
                let decision = try conversion.decide(command, context: context, loader: batch)
                let split = decision.split(ids)
                try batch.emit(decision.lead, to: Lead.self, id: command.leadId, eventIds: split.lead, metadata: metadata)
                try batch.emit(decision.customer, to: Customer.self, id: command.customerId, eventIds: split.customer, metadata: metadata)
                try batch.emit(decision.opportunity, to: Opportunity.self, id: command.opportunityId, eventIds: split.opportunity, metadata: metadata)
            }
        }
    }
}

/// Why an import stopped (a refused command does not stop it; it is counted).
public enum ImportError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case malformedLine(Int, String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read \(path)"
        case .malformedLine(let line, let reason): "line \(line) is not a command record: \(reason)"
        }
    }
}

/// Reads a command file batch by batch: each `next()` reads and decodes up to `batchSize` records
/// and returns the reader positioned after them. A value, so the next batch can be decoded on
/// another task while the current one is decided.
struct CommandFileReader: Sendable {
    /// Decoded records with their line numbers.
    struct Batch: Sendable {
        var records: [CommandRecord] = []
        var lines: [Int] = []
        /// Bytes of the file read after this batch.
        var bytesRead: Int64 = 0
        var decodeTime: Duration = .zero
    }

    private var lines: LineReader
    let batchSize: Int

    init(handle: FileHandle, batchSize: Int) {
        lines = LineReader(handle: handle)
        self.batchSize = batchSize
    }

    /// The next batch (nil at the end of the file) and the reader after it.
    /// - Throws: `ImportError.malformedLine` for a line that is not a command record.
    func next() throws -> (batch: Batch?, reader: CommandFileReader) {
        var reader = self
        var batch = Batch()
        batch.records.reserveCapacity(batchSize)
        batch.lines.reserveCapacity(batchSize)
        let clock = ContinuousClock()
        let started = clock.now
        while batch.records.count < batchSize, let line = try reader.lines.next() {
            guard !line.isEmpty else { continue }
            do {
                batch.records.append(try PayloadDecoder.decode(CommandRecord.self, from: line))
            } catch {
                throw ImportError.malformedLine(reader.lines.lineNumber, "\(error)")
            }
            batch.lines.append(reader.lines.lineNumber)
        }
        batch.bytesRead = reader.lines.bytesRead
        batch.decodeTime = clock.now - started
        return (batch.records.isEmpty ? nil : batch, reader)
    }
}

/// Reads a file line by line in 1 MiB chunks.
///
/// Lines are found with `memchr` in a byte array: searching a `Data` slice byte by byte through
/// its generic `Collection` methods, and copying each line into a `Data`, was 13 % of an import's
/// CPU (perf, 1M commands).
struct LineReader: Sendable {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private(set) var bytesRead: Int64 = 0
    private(set) var lineNumber = 0

    init(handle: FileHandle) { self.handle = handle }

    /// The next line without its newline, nil at the end of the file.
    mutating func next() throws -> [UInt8]? {
        while true {
            let from = start
            let newline: Int? = buffer.withUnsafeBufferPointer { all in
                guard from < all.count, let base = all.baseAddress,
                      let hit = memchr(base + from, Int32(UInt8(ascii: "\n")), all.count - from) else { return nil }
                return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            }
            if let newline {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                bytesRead += Int64(line.count + 1)
                lineNumber += 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                bytesRead += Int64(line.count)
                lineNumber += 1
                return line
            }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true }
            buffer.removeSubrange(0..<start)
            buffer.append(contentsOf: chunk)
            start = 0
        }
    }
}
