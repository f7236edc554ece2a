import ArgumentParser
import EventStore
import Foundation
import Projections

/// `crm doctor`: a health check of a data directory that is safe beside a running server.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a data directory: environment sizes, free pages, stale readers, projector lag, chain status.",
        discussion: """
            Opens everything read-only and takes no lock, so it runs beside a running server. Reports, \
            for the log, keys, tokens, idempotency and every active read-model generation: file size, map \
            size, pages written, free pages (counted by walking LMDB's free list) and what a compaction \
            would give back; reader slots and stale ones (left by dead processes); each read model's \
            checkpoint against the log's head and the events of its types still to apply; and the chain, \
            verified from the last signed checkpoint (--full: from position 1). Ends with a verdict. Exit \
            status: 0 healthy (warnings included), 1 problems found, 2 could not check.
            """
    )

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var keyOptions: CheckpointKeyOptions

    @Flag(help: "Verify the whole chain, not just the part after the last signed checkpoint.")
    var full = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Warn when a read model has more than this many events of its types left to apply.", valueName: "events"))
    var maxLag: UInt64 = 10_000

    func run() async throws {
        let directory = try dataOptions.directory()
        let log: ReadOnlyLog
        do { log = try ReadOnlyLog(directory: directory) } catch { throw CommandFailure.exit("doctor", error.description) }
        let (key, keyPath) = try keyOptions.optionalKey(dataDirectory: directory, command: "doctor")
        var report: DoctorReport
        do {
            report = try Self.examine(log, key: key, keyPath: keyPath, full: full, maxLag: maxLag)
        } catch let failure as ExitCode {
            throw failure
        } catch {
            throw CommandFailure.exit("doctor", "\(error)")
        }
        report.decide()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.text(report))
        }
        if report.worst == .problem { throw ExitCode(CommandFailure.problemFound) }
    }

    static func examine(_ log: ReadOnlyLog, key: HMACKey?, keyPath: String, full: Bool, maxLag: UInt64) throws -> DoctorReport {
        let directory = log.directory
        let (head, lastCheckpoint) = try log.headAndLastCheckpoint()
        var report = DoctorReport(
            directory: directory, checkedAt: RecordedEvent.iso8601(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)),
            head: .init(position: head.position, hash: head.hash.description,
                        recordedAt: head.position == 0 ? nil : RecordedEvent.iso8601(milliseconds: head.recordedAt)))

        // Environments of the store.
        inspect("log", log.environment, into: &report, growsItsMap: true)
        for name in ["keys", "tokens", "idempotency"] where FileManager.default.fileExists(atPath: "\(directory)/\(name)/data.mdb") {
            do {
                inspect(name, try ReadOnlyEnvironment(directory: "\(directory)/\(name)"), into: &report, growsItsMap: false)
            } catch {
                report.add(.problem, name, "cannot be opened: \(error)")
            }
        }
        examineProjectors(log, head: head, maxLag: maxLag, into: &report)
        if let space = DurableFiles.space(at: directory) {
            report.disk = .init(freeBytes: space.free, totalBytes: space.total)
            let logLive = report.environments.first?.liveBytes ?? 0
            if space.total > 0, Double(space.free) / Double(space.total) < 0.1 {
                report.add(.warning, "disk", "only \(ByteCount.text(space.free)) of \(ByteCount.text(space.total)) free on the data directory's file system")
            } else if space.free < logLive {
                report.add(.note, "disk", "\(ByteCount.text(space.free)) free is less than the log's live data (\(ByteCount.text(logLive))): compaction needs that much room beside it")
            }
        }
        try examineChain(log, head: head, lastCheckpoint: lastCheckpoint, key: key, keyPath: keyPath, full: full, into: &report)
        return report
    }

    /// Sizes, free pages and readers of one environment, with the findings they call for.
    static func inspect(_ name: String, _ environment: ReadOnlyEnvironment, into report: inout DoctorReport, growsItsMap: Bool) {
        let usage: EnvironmentUsage
        do { usage = try environment.usage() } catch {
            report.add(.problem, name, "cannot be read: \(error)")
            return
        }
        let readers = environment.readers()
        let stale = readers.filter(\.isStale)
        report.environments.append(.init(name: name, path: environment.directory, usage: usage, liveBytes: usage.liveBytes,
                                          reclaimableBytes: usage.reclaimableBytes, readers: readers, staleReaders: stale.count))
        if !stale.isEmpty {
            report.add(.warning, name, "\(stale.count) stale reader slot(s) of processes that are gone (pids \(stale.map { "\($0.pid)" }.joined(separator: ", "))): "
                       + "they pin old pages so the file grows; the server clears them within 30 s, or at its next start")
        }
        if let oldest = readers.filter({ !$0.isStale }).compactMap(\.transaction).min(), usage.lastTransaction > oldest + 10_000 {
            report.add(.note, name, "a reader has held a snapshot for \(usage.lastTransaction - oldest) commits: pages freed since cannot be reused until it ends")
        }
        if !growsItsMap {
            if usage.mapFill > 0.95 {
                report.add(.problem, name, String(format: "the map is %.0f%% full (%@ of %@): writes will soon fail", usage.mapFill * 100,
                                                  ByteCount.text(usage.highWaterPages * usage.pageSize), ByteCount.text(usage.mapBytes)))
            } else if usage.mapFill > 0.8 {
                report.add(.warning, name, String(format: "the map is %.0f%% full", usage.mapFill * 100))
            }
        }
        if usage.fileBytes >= 64 << 20, usage.reclaimableBytes * 2 > usage.fileBytes {
            report.add(.note, name, "\(ByteCount.text(usage.reclaimableBytes)) of its \(ByteCount.text(usage.fileBytes)) file is free pages: `crm compact` (server stopped) gives it back")
        }
    }

    /// Each read model's active generation: its checkpoint against the head, and what it has left.
    static func examineProjectors(_ log: ReadOnlyLog, head: LogHead, maxLag: UInt64, into report: inout DoctorReport) {
        let fm = FileManager.default
        let root = log.directory + "/projections"
        let known = Dictionary(StandardProjectors.all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let present = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") }
        for name in Set(present).union(known.keys).sorted() {
            let projector = known[name]
            var entry = DoctorReport.Projector(name: name, codeVersion: projector?.version, state: "")
            let subject = "projector \(name)"
            defer { report.projectors.append(entry) }
            guard let text = try? String(contentsOfFile: "\(root)/\(name)/ACTIVE", encoding: .utf8),
                  let generation = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                entry.state = "not built"
                report.add(.note, subject, "not built yet: it builds from the log when the server starts")
                continue
            }
            entry.generation = generation
            let path = "\(root)/\(name)/gen-\(generation)"
            let record: GenerationRecord
            do {
                let environment = try ReadOnlyEnvironment(directory: path)
                guard let bytes = try environment.value(database: "_meta", key: Array("record".utf8)) else {
                    throw DurableFiles.Failure(description: "it holds no generation record")
                }
                record = try JSONDecoder().decode(GenerationRecord.self, from: Data(bytes))
                inspect("projections/\(name)/gen-\(generation)", environment, into: &report, growsItsMap: false)
            } catch {
                entry.state = "unreadable"
                report.add(.problem, subject, "its active generation \(path) cannot be read (\(error)): delete \(root)/\(name) so it rebuilds")
                continue
            }
            entry.version = record.version
            entry.checkpoint = record.checkpoint
            if record.checkpoint > head.position {
                entry.state = "ahead of the log"
                report.add(.problem, subject, "reflects position \(record.checkpoint) but the log ends at \(head.position): it was built from another log "
                           + "(a restored backup?); delete \(root)/\(name) so it rebuilds")
                continue
            }
            entry.lagPositions = head.position - record.checkpoint
            guard let projector else {
                entry.state = "unknown"
                report.add(.note, subject, "this crm runs no read model of that name: the server ignores \(root)/\(name), which can be deleted")
                continue
            }
            do {
                let pending = try log.pendingEvents(after: record.checkpoint, through: head.position, types: projector.eventTypes)
                entry.pendingEvents = pending.count
                if let oldest = pending.oldestRecordedAt { entry.lagSeconds = Double(head.recordedAt - oldest) / 1000 }
                if pending.count > maxLag {
                    report.add(.warning, subject, "\(pending.count) events of its types are not applied yet (more than \(maxLag))")
                }
            } catch {
                report.add(.problem, subject, "the events after its checkpoint cannot be read: \(error)")
            }
            if record.version != projector.version {
                entry.state = "rebuilds at start"
                report.add(.note, subject, "stored version \(record.version), this crm runs version \(projector.version): it rebuilds when the server starts")
                continue
            }
            entry.state = entry.pendingEvents == 0 ? "current" : "behind"
        }
    }

    /// The chain from the last signed checkpoint (or the whole chain).
    static func examineChain(_ log: ReadOnlyLog, head: LogHead, lastCheckpoint: SignedCheckpoint?, key: HMACKey?, keyPath: String,
                             full: Bool, into report: inout DoctorReport) throws {
        let from = full ? 1 : (lastCheckpoint.map { $0.position + 1 } ?? 1)
        let total = head.position >= from ? head.position - from + 1 : 0
        var progress = ProgressLine(label: "verify", unit: "events")
        let verified = try log.verify(from: from, checkpointKey: key) { checked in
            progress.update(done: Int(checked), fraction: total == 0 ? nil : Double(checked) / Double(total))
        }
        progress.clear()
        report.chain = .init(
            scope: full || lastCheckpoint == nil ? "full" : "tail", from: verified.from, to: verified.to, checkedEvents: verified.checkedEvents,
            intact: verified.isIntact, firstBadPosition: verified.firstBadPosition, problem: verified.problem,
            checkpointsVerified: verified.checkpointsVerified, authenticated: key != nil,
            lastCheckpoint: lastCheckpoint.map { .init(position: $0.position, hash: $0.hash.description, signedAt: RecordedEvent.iso8601(milliseconds: $0.signedAt)) })
        if let position = verified.firstBadPosition {
            report.add(.problem, "chain", "first bad position \(position): \(verified.problem ?? "unknown problem")")
        }
        if key == nil && lastCheckpoint != nil {
            report.add(.warning, "chain", "signed checkpoints were compared with the chain but not authenticated: no checkpoint key at \(keyPath)")
        }
        if !full && lastCheckpoint != nil {
            report.add(.note, "chain", "checked from the last signed checkpoint (\(lastCheckpoint!.position)); `--full` checks every event")
        }
    }

    static func text(_ report: DoctorReport) -> String {
        var lines = ["crm doctor \(report.directory) at \(report.checkedAt)"]
        lines.append("head          position \(report.head.position), hash \(report.head.hash.prefix(16))…\(report.head.recordedAt.map { ", last event \($0)" } ?? "")")
        if let chain = report.chain {
            let range = chain.to >= chain.from ? "\(chain.from)…\(chain.to)" : "nothing after \(chain.from - 1)"
            let verdict = chain.intact ? "intact" : "BROKEN at \(chain.firstBadPosition ?? 0): \(chain.problem ?? "")"
            let checkpoints = "\(chain.checkpointsVerified) signed checkpoint(s) \(chain.authenticated ? "authenticated" : "matched, not authenticated")"
            lines.append("chain         \(chain.scope) \(range): \(verdict) (\(chain.checkedEvents) events, \(checkpoints))")
        }
        lines.append("environments")
        for environment in report.environments {
            let u = environment.usage
            lines.append("  \(environment.name)")
            lines.append(String(format: "      file %@, map %@ (%.1f%% written), page %llu B: %llu pages written, %llu free + %llu free-list pages",
                                ByteCount.text(u.fileBytes), ByteCount.text(u.mapBytes), u.mapFill * 100, u.pageSize,
                                u.highWaterPages, u.freeListPages, u.freeDBPages))
            lines.append("      live data \(ByteCount.text(environment.liveBytes)), reclaimable by compaction \(ByteCount.text(environment.reclaimableBytes)); "
                         + "readers \(u.readersInUse) of \(u.maxReaders) in use, \(environment.staleReaders) stale")
        }
        lines.append("projectors")
        for projector in report.projectors {
            var line = "  \(projector.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(projector.state)"
            if let generation = projector.generation, let version = projector.version, let checkpoint = projector.checkpoint {
                line += ": generation \(generation), version \(version), checkpoint \(checkpoint)"
                if let lag = projector.lagPositions { line += ", \(lag) positions behind the head" }
                if let pending = projector.pendingEvents { line += ", \(pending) events of its types to apply" }
                if let seconds = projector.lagSeconds { line += String(format: " (%.0f s of log time)", seconds) }
            }
            lines.append(line)
        }
        if let disk = report.disk { lines.append("disk          \(ByteCount.text(disk.freeBytes)) free of \(ByteCount.text(disk.totalBytes))") }
        if !report.findings.isEmpty {
            lines.append("findings")
            for finding in report.findings.sorted(by: { $0.severity > $1.severity }) {
                lines.append("  \(finding.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(finding.subject): \(finding.message)")
            }
        }
        lines.append("verdict: \(report.verdict)")
        return lines.joined(separator: "\n")
    }
}
