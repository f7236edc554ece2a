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
    public let configuration: DomainConfiguration
    public let batchSize: Int
    /// Event ids derived per command; more than any command produces.
    static let idsPerCommand = 8

    public init(customers: CustomerService, configuration: DomainConfiguration = .standard, batchSize: Int = 2000) {
        self.customers = customers
        self.configuration = configuration
        self.batchSize = max(1, batchSize)
    }

    var handler: CommandHandler { customers.handler }

    /// Imports every command of the file at `path`, calling `progress` after each batch.
    public func importFile(at path: String, progress: (ImportProgress) -> Void = { _ in }) async throws -> ImportProgress {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportError.unreadable(path) }
        defer { try? handle.close() }
        var report = ImportProgress()
        report.totalBytes = Int64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0)
        try customers.rebuildIndex()
        var reader = LineReader(handle: handle)
        var pending: [CommandRecord] = []
        pending.reserveCapacity(batchSize)
        let clock = ContinuousClock()
        while true {
            let started = clock.now
            guard let line = try reader.next() else { break }
            report.bytesRead = reader.bytesRead
            guard !line.isEmpty else { continue }
            do {
                pending.append(try EventRegistry.decoder.decode(CommandRecord.self, from: line))
            } catch {
                throw ImportError.malformedLine(reader.lineNumber, "\(error)")
            }
            report.decodeTime += clock.now - started
            report.commands += 1
            if pending.count == batchSize {
                try await apply(pending, into: &report)
                pending.removeAll(keepingCapacity: true)
                progress(report)
            }
        }
        if !pending.isEmpty { try await apply(pending, into: &report) }
        report.bytesRead = reader.bytesRead
        progress(report)
        return report
    }

    /// Decides and appends one batch; redecides it (bounded) if another writer interfered.
    public func apply(_ records: [CommandRecord], into report: inout ImportProgress) async throws {
        let clock = ContinuousClock()
        for _ in 0..<handler.maxAttempts {
            let deciding = clock.now
            let batch = CommandBatch(handler: handler)
            var outcome = ImportProgress()
            let idsByRecord = records.map { UUID.derivedSequence(from: $0.id, at: $0.at, count: Self.idsPerCommand) }
            let stored = try handler.store.storedEventIds(idsByRecord.map { $0[0] })
            for (record, ids) in zip(records, idsByRecord) {
                if stored.contains(ids[0]) {
                    outcome.alreadyImported += 1
                    continue
                }
                let before = batch.eventCount
                do {
                    try decide(record, ids: ids, in: batch)
                    if batch.eventCount > before { outcome.applied += 1 }
                } catch let error as DomainError {
                    outcome.rejected[error.code, default: 0] += 1
                }
            }
            outcome.events = batch.eventCount
            let appending = clock.now
            report.decideTime += appending - deciding
            do {
                _ = try await batch.commit()
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
            report.appendTime += clock.now - appending
            report.applied += outcome.applied
            report.alreadyImported += outcome.alreadyImported
            report.events += outcome.events
            report.rejected.merge(outcome.rejected, uniquingKeysWith: +)
            return
        }
        throw DomainError.concurrencyConflict(stream: "import batch", attempts: handler.maxAttempts)
    }

    /// One command's decision inside a batch, with the cross-customer work registration, profile
    /// changes, merges and lead conversions need.
    func decide(_ record: CommandRecord, ids: [UUID], in batch: CommandBatch) throws {
        var context = DecisionContext(now: record.at, configuration: configuration)
        let metadata = record.metadata
        switch record.command {
        case .single(let command as RegisterCustomer):
            let keys = DuplicateIndex.keys(of: command)
            context.duplicateMatches = customers.duplicates.reserve(keys, for: command.customerId)
            do { try batch.execute(command, context: context, metadata: metadata, eventIds: ids) } catch {
                if case DomainError.alreadyExists = error {} else { customers.duplicates.release(command.customerId) }
                throw error
            }
        case .single(let command as ChangeCustomerProfile):
            try batch.execute(command, context: context, metadata: metadata, eventIds: ids)
            let (state, _) = try batch.load(Customer.self, id: command.customerId)
            customers.duplicates.set(DuplicateIndex.keys(of: state), for: command.customerId)
        case .single(let command):
            try batch.execute(command, context: context, metadata: metadata, eventIds: ids)
        case .mergeCustomers(let command):
            let (survivor, _) = try batch.load(Customer.self, id: command.survivorId)
            let (absorbed, _) = try batch.load(Customer.self, id: command.absorbedId)
            let events = try command.decide(survivor: survivor, absorbed: absorbed, context)
            try batch.emit(events.survivor, to: Customer.self, id: command.survivorId, eventIds: Array(ids.prefix(events.survivor.count)), metadata: metadata)
            try batch.emit(events.absorbed, to: Customer.self, id: command.absorbedId, eventIds: Array(ids.dropFirst(events.survivor.count)), metadata: metadata)
            customers.duplicates.set([], for: command.absorbedId)
        case .convertLead(let command):
            let (lead, _) = try batch.load(Lead.self, id: command.leadId)
            let (customer, customerVersion) = try batch.load(Customer.self, id: command.customerId)
            let (opportunity, _) = try batch.load(Opportunity.self, id: command.opportunityId)
            let (process, processVersion) = try batch.load(SalesProcess.self, id: command.processId)
            let reserves = lead.exists && customerVersion == 0
            if reserves {
                let registration = command.registration(of: lead)
                context.duplicateMatches = customers.duplicates.reserve(
                    DuplicateIndex.keys(of: registration),
                    for: command.customerId)
            }
            do {
                let events = try command.decide(lead: lead, customer: customer, opportunity: opportunity,
                                                process: processVersion == 0 ? nil : process, context)
                var remaining = ids[...]
                try batch.emit(events.lead, to: Lead.self, id: command.leadId, eventIds: Array(remaining.prefix(events.lead.count)), metadata: metadata)
                remaining = remaining.dropFirst(events.lead.count)
                try batch.emit(events.customer, to: Customer.self, id: command.customerId, eventIds: Array(remaining.prefix(events.customer.count)), metadata: metadata)
                remaining = remaining.dropFirst(events.customer.count)
                try batch.emit(events.opportunity, to: Opportunity.self, id: command.opportunityId, eventIds: Array(remaining), metadata: metadata)
            } catch {
                if reserves { customers.duplicates.release(command.customerId) }
                throw error
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

/// Reads a file line by line in 1 MiB chunks.
struct LineReader {
    let handle: FileHandle
    private var buffer = Data()
    private var start = 0
    private var atEnd = false
    private(set) var bytesRead: Int64 = 0
    private(set) var lineNumber = 0

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() throws -> Data? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[start..<newline]
                start = newline + 1
                bytesRead += Int64(line.count + 1)
                lineNumber += 1
                return Data(line)
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                bytesRead += Int64(line.count)
                lineNumber += 1
                return Data(line)
            }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true }
            buffer = Data(buffer[start...]) + chunk
            start = 0
        }
    }
}
