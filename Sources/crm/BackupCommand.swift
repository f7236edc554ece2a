import ArgumentParser
import EventStore
import Foundation

/// `crm backup`: a consistent hot backup of a data directory, taken while the server runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take a consistent backup of the log (and subject keys and tokens) while the server runs.",
        discussion: """
            Opens the log read-only (no lock is taken and nothing is written into the data directory) \
            and copies it with LMDB's compacting copy, which reads one snapshot: appends go on meanwhile \
            and the backup is the log as of one commit. Then <dir>/keys and <dir>/tokens, when present. \
            Read models, idempotency answers, master.key, checkpoint.key and *.erasures files are never \
            backed up (read models rebuild; keys belong in a separate safe place). FILE holds a manifest \
            (head, last signed checkpoint, each part's size and SHA-256) and the compacted parts; the \
            manifest is also written beside it as FILE.json. While it runs, the destination needs room \
            for the compacted parts twice (a staging copy beside FILE, then FILE).
            """
    )

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var keyOptions: CheckpointKeyOptions

    @Option(name: .customLong("to"), help: ArgumentHelp("The backup file to write.", valueName: "file"))
    var destination: String

    @Flag(help: "Replace FILE if it exists.")
    var force = false

    @Flag(help: "Verify the whole chain of the snapshot before writing the backup.")
    var verify = false

    func run() async throws {
        let directory = try dataOptions.directory()
        let log: ReadOnlyLog
        do { log = try ReadOnlyLog(directory: directory) } catch { throw CommandFailure.exit("backup", error.description) }
        let fm = FileManager.default
        let parent = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure.exit("backup", "the directory of \(destination) does not exist")
        }
        if DurableFiles.isInside(destination, directory) {
            throw CommandFailure.exit("backup", "\(destination) is inside the data directory; write backups elsewhere")
        }
        if fm.fileExists(atPath: destination) && !force {
            throw CommandFailure.exit("backup", "\(destination) exists; pass --force to replace it")
        }
        let key = verify ? try keyOptions.optionalKey(dataDirectory: directory, command: "backup").key : nil

        let staging = destination + ".staging-\(getpid())"
        let partial = destination + ".partial-\(getpid())"
        defer {
            try? fm.removeItem(atPath: staging)
            try? fm.removeItem(atPath: partial)
        }
        let manifest: BackupManifest
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            var environments: [BackupManifest.Environment] = []
            for name in BackupManifest.environmentNames {
                let environment: ReadOnlyEnvironment
                if name == "log" {
                    environment = log.environment
                } else if fm.fileExists(atPath: "\(directory)/\(name)/data.mdb") {
                    environment = try ReadOnlyEnvironment(directory: "\(directory)/\(name)")
                } else {
                    continue
                }
                let usage = try environment.usage()
                try fm.createDirectory(atPath: "\(staging)/\(name)", withIntermediateDirectories: false)
                let copy = try CompactedCopy.make(of: environment, into: "\(staging)/\(name)/data.mdb", label: "backup \(name)")
                environments.append(.init(name: name, bytes: copy.bytes, sha256: copy.sha256.description,
                                          liveFileBytes: usage.fileBytes, mapBytes: usage.mapBytes))
            }
            manifest = try Self.describe(staging: staging, source: directory, environments: environments, key: key, verify: verify)
            try Self.assemble(manifest, staging: staging, into: partial)
            try DurableFiles.rename(partial, to: destination)
            try DurableFiles.replace(destination + ".json", with: try manifest.encoded(pretty: true) + [0x0A])
            try DurableFiles.sync(parent)
        } catch let failure as ExitCode {
            throw failure
        } catch {
            throw CommandFailure.exit("backup", "\(error)")
        }
        print(Self.summary(manifest, file: destination))
    }

    /// The manifest of the staged copies: the head and last checkpoint are read from the staged
    /// log itself, so they describe exactly the snapshot the backup holds.
    static func describe(staging: String, source: String, environments: [BackupManifest.Environment],
                         key: HMACKey?, verify: Bool) throws -> BackupManifest {
        let copy = try ReadOnlyLog(directory: staging)
        let (head, checkpoint) = try copy.headAndLastCheckpoint()
        if verify {
            var progress = ProgressLine(label: "verify snapshot", unit: "events")
            let report = try copy.verify(checkpointKey: key) { checked in
                progress.update(done: Int(checked), fraction: head.position == 0 ? nil : Double(checked) / Double(head.position))
            }
            progress.clear()
            if let position = report.firstBadPosition {
                throw CommandFailure.exit("backup", "the log is damaged, nothing written: first bad position \(position): \(report.problem ?? "unknown problem")",
                                          code: CommandFailure.problemFound)
            }
        }
        return BackupManifest(
            createdAt: RecordedEvent.iso8601(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)),
            source: DurableFiles.resolved(source) ?? source,
            host: ProcessInfo.processInfo.hostName,
            head: .init(position: head.position, hash: head.hash.description,
                        recordedAt: head.position == 0 ? nil : RecordedEvent.iso8601(milliseconds: head.recordedAt)),
            lastCheckpoint: checkpoint.map { .init(position: $0.position, hash: $0.hash.description, signedAt: RecordedEvent.iso8601(milliseconds: $0.signedAt)) },
            environments: environments)
    }

    /// Writes the header and the staged parts into `file`, synced.
    static func assemble(_ manifest: BackupManifest, staging: String, into file: String) throws {
        let handle = try DurableFiles.create(file)
        defer { try? handle.close() }
        try handle.write(contentsOf: try BackupFile.header(for: manifest))
        let total = manifest.environments.reduce(0) { $0 + $1.bytes }
        var progress = ProgressLine(label: "backup write", unit: "bytes", countsBytes: true)
        var written: UInt64 = 0
        for environment in manifest.environments {
            guard let input = FileHandle(forReadingAtPath: "\(staging)/\(environment.name)/data.mdb") else {
                throw DurableFiles.Failure(description: "cannot read the staged copy of \(environment.name)")
            }
            defer { try? input.close() }
            var copied: UInt64 = 0
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try handle.write(contentsOf: chunk)
                copied += UInt64(chunk.count)
                written += UInt64(chunk.count)
                progress.update(done: Int(written), fraction: total == 0 ? nil : Double(written) / Double(total))
            }
            guard copied == environment.bytes else {
                throw DurableFiles.Failure(description: "the staged copy of \(environment.name) changed size while it was written")
            }
        }
        try handle.synchronize()
        progress.clear()
    }

    static func summary(_ manifest: BackupManifest, file: String) -> String {
        let parts = manifest.environments.map { "\($0.name) \(ByteCount.text($0.bytes)) (live file \(ByteCount.text($0.liveFileBytes)))" }
        var line = "backup \(file): \(parts.joined(separator: ", ")); head position \(manifest.head.position), hash \(manifest.head.hash.prefix(16))…"
        if let checkpoint = manifest.lastCheckpoint {
            line += "; last signed checkpoint at \(checkpoint.position) (\(checkpoint.signedAt))"
        } else {
            line += "; no signed checkpoint yet"
        }
        return line + "; manifest in \(file).json"
    }
}
