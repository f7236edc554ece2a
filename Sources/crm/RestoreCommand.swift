import ArgumentParser
import EventStore
import Foundation

/// `crm restore`: puts a backup back into a data directory, accepting it only after its every
/// byte and its whole chain have been checked.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a data directory, after checking every byte and the whole chain.",
        discussion: """
            Checks the file (magic, manifest digest, each part's size and SHA-256), writes the parts \
            into a work directory inside DIR, opens the restored log and verifies its whole chain (and \
            that its head and last signed checkpoint are the ones the manifest names), and only then \
            renames them into place. On any failure, everything it wrote is removed and the exit status \
            is 1 (for a broken chain, with the first bad position). A DIR that already has a log is \
            refused unless --force: then log, keys and tokens are replaced, and the read models and \
            idempotency answers (which describe the replaced log) are removed so they rebuild; \
            master.key, checkpoint.key, *.erasures files and anything else in DIR are kept. Checkpoint \
            signatures are authenticated with --checkpoint-key, $CRM_CHECKPOINT_KEY or DIR/checkpoint.key.
            """
    )

    @Option(name: .customLong("from"), help: ArgumentHelp("The backup file.", valueName: "file"))
    var source: String

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var keyOptions: CheckpointKeyOptions

    @Flag(help: "Replace the log, keys and tokens of a data directory that already has a log.")
    var force = false

    /// Derived data that describes the log it was built from, removed when the log is replaced.
    static let derived = ["projections", "idempotency"]

    func run() async throws {
        let directory = try dataOptions.directory()
        let fm = FileManager.default
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw CommandFailure.exit("restore", "cannot read \(source)")
        }
        defer { try? input.close() }
        let opened: BackupFile.Opened
        do {
            opened = try BackupFile.open(input, fileBytes: DurableFiles.size(source))
        } catch let invalid as BackupFile.Invalid {
            throw CommandFailure.exit("restore", "refused \(source): \(invalid.description)", code: CommandFailure.problemFound)
        }
        let manifest = opened.manifest

        // The directory, its lock, and what a failure must take away again.
        var isDirectory: ObjCBool = false
        let existed = fm.fileExists(atPath: directory, isDirectory: &isDirectory)
        if existed && !isDirectory.boolValue { throw CommandFailure.exit("restore", "\(directory) is a file, not a directory") }
        if existed && fm.fileExists(atPath: directory + "/log") && !force {
            throw CommandFailure.exit("restore", "\(directory) already holds a log; pass --force to replace its log, keys and tokens")
        }
        if existed && !force, let foreign = Self.foreignEntries(in: directory).first {
            throw CommandFailure.exit("restore", "\(directory) holds \(foreign), which is not part of a data directory; "
                                      + "restore into an empty directory, or pass --force")
        }
        let (key, keyPath) = try keyOptions.optionalKey(dataDirectory: directory, command: "restore")
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CommandFailure.exit("restore", "cannot create \(directory): \(error.localizedDescription)")
        }
        let lockExisted = fm.fileExists(atPath: directory + "/crm.lock")
        let lease: DataDirectoryLease
        do { lease = try DataDirectoryLease(directory: directory) } catch { throw CommandFailure.exit("restore", error.description) }
        let work = DurableFiles.workDirectory(in: directory, purpose: "restore")
        func undo() {
            try? fm.removeItem(atPath: work)
            if !existed {
                try? fm.removeItem(atPath: directory)
            } else if !lockExisted {
                try? fm.removeItem(atPath: directory + "/crm.lock")
            }
        }

        let verified: VerificationReport
        var installing = false
        do {
            try fm.createDirectory(atPath: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try Self.extract(manifest, from: input, into: work)
            verified = try Self.check(work, against: manifest, key: key)
            installing = true
            try Self.install(manifest, from: work, into: directory)
        } catch {
            if installing {
                // Some renames may have happened: what was replaced is in the work directory and
                // must not be deleted.
                withExtendedLifetime(lease) {}
                throw CommandFailure.exit("restore", "interrupted while renaming into place: \(error); "
                                          + "the checked environments and those they replaced are in \(work)")
            }
            undo()
            withExtendedLifetime(lease) {}
            if let failure = error as? ExitCode { throw failure }
            if let refusal = error as? BackupFile.Invalid {
                throw CommandFailure.exit("restore", "refused \(source): \(refusal.description); nothing was restored", code: CommandFailure.problemFound)
            }
            throw CommandFailure.exit("restore", "\(error); nothing was restored")
        }
        try? fm.removeItem(atPath: work)
        withExtendedLifetime(lease) {}
        var line = "restored \(source) into \(directory): \(manifest.environments.map(\.name).joined(separator: ", ")); "
            + "head position \(manifest.head.position), hash \(manifest.head.hash.prefix(16))…; "
            + "chain verified (\(verified.checkedEvents) events"
        if key == nil {
            line += ", \(verified.checkpointsVerified) signed checkpoints matched but were not authenticated: no key at \(keyPath); "
                + "put the original checkpoint key there before the server starts, or it signs new checkpoints under a new key)"
        } else {
            line += ", \(verified.checkpointsVerified) signed checkpoints authenticated)"
        }
        print(line + "; read models rebuild on the next start")
    }

    /// Entries of `directory` that no data directory has (so a mistyped path is not filled with
    /// a store): anything but the environments, the lock, key files, erasure lists, read models,
    /// idempotency answers and hidden work directories.
    static func foreignEntries(in directory: String) -> [String] {
        let known: Set<String> = ["crm.lock", "log", "keys", "tokens", "projections", "idempotency"]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { !known.contains($0) && !$0.hasPrefix(".") && !$0.hasSuffix(".key") && !$0.hasSuffix(".erasures") }.sorted()
    }

    /// Writes each part to `<work>/<name>/data.mdb`, checking its size and SHA-256 as it goes.
    static func extract(_ manifest: BackupManifest, from input: FileHandle, into work: String) throws {
        let total = manifest.environments.reduce(0) { $0 + $1.bytes }
        var progress = ProgressLine(label: "restore", unit: "bytes", countsBytes: true)
        var done: UInt64 = 0
        for environment in manifest.environments {
            try FileManager.default.createDirectory(atPath: "\(work)/\(environment.name)", withIntermediateDirectories: false)
            let output = try DurableFiles.create("\(work)/\(environment.name)/data.mdb")
            defer { try? output.close() }
            let digest = RunningDigest()
            var remaining = environment.bytes
            while remaining > 0 {
                guard let chunk = try input.read(upToCount: Int(min(remaining, 1 << 20))), !chunk.isEmpty else {
                    throw BackupFile.Invalid(description: "the file ends inside \(environment.name)")
                }
                chunk.withUnsafeBytes { digest.update($0) }
                try output.write(contentsOf: chunk)
                remaining -= UInt64(chunk.count)
                done += UInt64(chunk.count)
                progress.update(done: Int(done), fraction: total == 0 ? nil : Double(done) / Double(total))
            }
            let sha = digest.finalize()
            guard sha == SHA256Digest(hex: environment.sha256) else {
                progress.clear()
                throw BackupFile.Invalid(description: "\(environment.name) does not match its SHA-256 in the manifest: the backup is damaged")
            }
            try output.synchronize()
        }
        progress.clear()
    }

    /// Opens the restored log as the server will (a store on the work directory) and verifies the
    /// whole chain; the head and last signed checkpoint must be the manifest's.
    static func check(_ work: String, against manifest: BackupManifest, key: HMACKey?) throws -> VerificationReport {
        let store: EventStore
        do {
            store = try EventStore(directory: work, configuration: .init(createIfMissing: false, checkpointKey: key))
        } catch {
            throw CommandFailure.exit("restore", "the restored log does not open: \(error.description); nothing was restored", code: CommandFailure.problemFound)
        }
        defer { store.close() }
        let head = try store.head()
        var progress = ProgressLine(label: "verify", unit: "events")
        let report = try store.verify { checked in
            progress.update(done: Int(checked), fraction: head.position == 0 ? nil : Double(checked) / Double(head.position))
        }
        progress.clear()
        if let position = report.firstBadPosition {
            print("first bad position \(position): \(report.problem ?? "unknown problem")")
            throw CommandFailure.exit("restore", "the restored chain does not verify (first bad position \(position)); nothing was restored",
                                      code: CommandFailure.problemFound)
        }
        guard head.position == manifest.head.position, head.hash.description == manifest.head.hash else {
            throw CommandFailure.exit("restore", "the restored log ends at position \(head.position), hash \(head.hash), "
                                      + "but the manifest names \(manifest.head.position), \(manifest.head.hash); nothing was restored",
                                      code: CommandFailure.problemFound)
        }
        let last = try store.checkpoints().last
        guard last?.position == manifest.lastCheckpoint?.position, last?.hash.description == manifest.lastCheckpoint?.hash else {
            throw CommandFailure.exit("restore", "the restored log's last signed checkpoint (\(last.map { "\($0.position)" } ?? "none")) "
                                      + "is not the manifest's (\(manifest.lastCheckpoint.map { "\($0.position)" } ?? "none")); nothing was restored",
                                      code: CommandFailure.problemFound)
        }
        return report
    }

    /// Renames the checked environments into `directory` (the log first: a crash half-way then
    /// leaves the restored log with the keys it had, which hold every key the restored events
    /// need), moving what they replace and the derived data into the work directory, which the
    /// caller removes. Files the opened store left in the work directory go first.
    static func install(_ manifest: BackupManifest, from work: String, into directory: String) throws {
        let fm = FileManager.default
        try? fm.removeItem(atPath: work + "/crm.lock")
        for environment in manifest.environments {
            try? fm.removeItem(atPath: "\(work)/\(environment.name)/lock.mdb")
            try DurableFiles.sync("\(work)/\(environment.name)")
        }
        try DurableFiles.sync(work)
        try fm.createDirectory(atPath: work + "/replaced", withIntermediateDirectories: false)
        for environment in manifest.environments {
            let target = "\(directory)/\(environment.name)"
            if fm.fileExists(atPath: target) { try DurableFiles.rename(target, to: "\(work)/replaced/\(environment.name)") }
            try DurableFiles.rename("\(work)/\(environment.name)", to: target)
        }
        for name in derived where fm.fileExists(atPath: "\(directory)/\(name)") {
            try DurableFiles.rename("\(directory)/\(name)", to: "\(work)/replaced/\(name)")
        }
        try DurableFiles.sync(directory)
    }
}
