import ArgumentParser
import EventStore
import Foundation

/// `crm compact`: gives the free pages of the log (and the subject keys and tokens) back to the
/// file system, with the server stopped.
struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Compact the log, keys and tokens environments (server stopped) and report sizes before and after.",
        discussion: """
            LMDB never shrinks a file: pages freed by later commits are reused, not returned. This \
            writes a compacting copy of each environment into a work directory inside the data \
            directory, checks the copy (the log: the whole chain verified and the same head; the others: \
            the same number of entries in every database), and swaps it in with a rename; the original is \
            kept until the copy has been checked. Takes the data directory's lock like every offline \
            command, so the server must be stopped. Exit status 1 when a copy does not check out (the \
            original is then left as it was).
            """
    )

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var keyOptions: CheckpointKeyOptions

    func run() async throws {
        let directory = try dataOptions.directory()
        // Opening the log read-only first gives the usual messages for a missing or foreign
        // directory before anything is locked.
        do { _ = try ReadOnlyLog(directory: directory) } catch { throw CommandFailure.exit("compact", error.description) }
        let lease: DataDirectoryLease
        do { lease = try DataDirectoryLease(directory: directory) } catch { throw CommandFailure.exit("compact", error.description) }
        defer { withExtendedLifetime(lease) {} }
        let key = try keyOptions.optionalKey(dataDirectory: directory, command: "compact").key
        let fm = FileManager.default
        let work = DurableFiles.workDirectory(in: directory, purpose: "compact")
        defer { try? fm.removeItem(atPath: work) }
        do {
            try fm.createDirectory(atPath: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure.exit("compact", "cannot create \(work): \(error.localizedDescription)")
        }
        var lines: [String] = []
        var before: UInt64 = 0
        var after: UInt64 = 0
        for name in BackupManifest.environmentNames where fm.fileExists(atPath: "\(directory)/\(name)/data.mdb") {
            let sizes: (before: UInt64, after: UInt64)
            do {
                sizes = try Self.compact(name, in: directory, work: work, key: key)
            } catch let failure as ExitCode {
                throw failure
            } catch {
                throw CommandFailure.exit("compact", "\(name): \(error)")
            }
            before += sizes.before
            after += sizes.after
            lines.append("\(name): \(ByteCount.text(sizes.before)) → \(ByteCount.text(sizes.after))\(Self.change(sizes.before, sizes.after))")
        }
        for line in lines { print(line) }
        print("all: \(ByteCount.text(before)) → \(ByteCount.text(after))\(Self.change(before, after))")
    }

    /// Compacts one environment: copy, check, swap. Returns the file sizes before and after.
    static func compact(_ name: String, in directory: String, work: String, key: HMACKey?) throws -> (before: UInt64, after: UInt64) {
        let live = "\(directory)/\(name)"
        let fileBefore = DurableFiles.size(live + "/data.mdb")
        try FileManager.default.createDirectory(atPath: "\(work)/\(name)", withIntermediateDirectories: false)
        try copyAndCheck(name, live: live, into: "\(work)/\(name)", work: work, key: key)
        // Every handle on both environments is closed now: swap.
        try? FileManager.default.removeItem(atPath: "\(work)/\(name)/lock.mdb")
        try DurableFiles.sync("\(work)/\(name)")
        try DurableFiles.rename(live, to: "\(work)/\(name).old")
        try DurableFiles.rename("\(work)/\(name)", to: live)
        try DurableFiles.sync(directory)
        try FileManager.default.removeItem(atPath: "\(work)/\(name).old")
        return (fileBefore, DurableFiles.size(live + "/data.mdb"))
    }

    /// Writes the compacted copy and checks it against the original (both opened read-only, and
    /// both closed again when this returns). The log is opened as a log (its databases and format
    /// checked), the others as plain environments; an environment is opened once per process.
    private static func copyAndCheck(_ name: String, live: String, into copyDirectory: String, work: String, key: HMACKey?) throws {
        let source = name == "log" ? try ReadOnlyLog(directory: URL(fileURLWithPath: live).deletingLastPathComponent().path) : nil
        let original = try source?.environment ?? ReadOnlyEnvironment(directory: live)
        _ = try CompactedCopy.make(of: original, into: copyDirectory + "/data.mdb", label: "compact \(name)")
        let copy = try source == nil ? nil : ReadOnlyLog(directory: work)
        let copied = try copy?.environment ?? ReadOnlyEnvironment(directory: copyDirectory)
        if let source, let copy {
            let head = try copy.head()
            var progress = ProgressLine(label: "verify compacted log", unit: "events")
            let report = try copy.verify(checkpointKey: key) { checked in
                progress.update(done: Int(checked), fraction: head.position == 0 ? nil : Double(checked) / Double(head.position))
            }
            progress.clear()
            if let position = report.firstBadPosition {
                print("first bad position \(position): \(report.problem ?? "unknown problem")")
                throw CommandFailure.exit("compact", "the compacted log does not verify (first bad position \(position)); the log was left as it was",
                                          code: CommandFailure.problemFound)
            }
            guard head == (try source.head()) else {
                throw CommandFailure.exit("compact", "the compacted log's head differs from the original's; the log was left as it was",
                                          code: CommandFailure.problemFound)
            }
        }
        let counted = try copied.entryCounts()
        let expected = try original.entryCounts()
        guard counted == expected else {
            throw CommandFailure.exit("compact", "the compacted \(name) holds \(counted) entries but the original \(expected); it was left as it was",
                                      code: CommandFailure.problemFound)
        }
    }

    static func change(_ before: UInt64, _ after: UInt64) -> String {
        guard before > 0 else { return "" }
        let percent = (Double(after) - Double(before)) / Double(before) * 100
        return String(format: " (%@%.0f%%)", percent >= 0 ? "+" : "−", abs(percent))
    }
}
