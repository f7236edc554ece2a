import EventStore
import Foundation
import Testing
import TestSupport

/// `crm backup`, `crm restore` and `crm compact`, run as the built binary.
@Suite(.enabled(if: CLI.binary != nil, "the crm binary is not built next to the tests"))
struct BackupCLITests {
    /// The backup is taken while another process (`crm crash-writer`) holds the store open and
    /// appends; restoring it gives a log that verifies, ends at the head the manifest names, and
    /// is exactly a prefix of the live log.
    @Test func hotBackupWhileAnotherProcessAppends() async throws {
        try await withTemporaryDirectory { root in
            let data = root + "/data"
            let file = root + "/backup.crm"
            let restored = root + "/restored"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let writer = try CLI.start(["crash-writer", "--data", data, "--writers", "4"])
            defer { writer.stop() }
            // Past the first signed checkpoint (the writer signs every 500 events).
            try writer.waitForStdoutLines(600)
            let entriesBefore = try FileManager.default.contentsOfDirectory(atPath: data).sorted()

            let backup = try CLI.run(["backup", "--data", data, "--to", file])
            #expect(backup.status == 0, "stderr: \(backup.stderr)")
            #expect(backup.stdout.hasPrefix("backup \(file): log "))
            let acknowledgedAfter = try writer.stdoutLines().count
            writer.stop()

            // Nothing was written into the data directory, and the writer kept appending.
            #expect(try FileManager.default.contentsOfDirectory(atPath: data).sorted() == entriesBefore)
            let manifest = try Backups.manifest(file)
            let head = try #require(manifest["head"] as? [String: Any])
            let position = try #require((head["position"] as? NSNumber)?.uint64Value)
            let hash = try #require(head["hash"] as? String)
            #expect(position >= 600)
            let checkpoint = try #require(manifest["lastCheckpoint"] as? [String: Any])
            #expect(((checkpoint["position"] as? NSNumber)?.uint64Value ?? 0) <= position)
            let environments = try #require(manifest["environments"] as? [[String: Any]])
            #expect(environments.map { $0["name"] as? String } == ["log"])
            #expect(acknowledgedAfter >= 600)

            let restore = try CLI.run(["restore", "--from", file, "--data", restored, "--checkpoint-key", data + "/checkpoint.key"])
            #expect(restore.status == 0, "stderr: \(restore.stderr)")
            #expect(restore.stdout.contains("head position \(position)"))
            #expect(restore.stdout.contains("signed checkpoints authenticated"))
            let verify = try CLI.run(["verify", "--data", restored, "--checkpoint-key", data + "/checkpoint.key"])
            #expect(verify.status == 0, "stdout: \(verify.stdout)")
            #expect(verify.stdout.hasPrefix("intact: \(position) events checked"))

            // The restored log is the live log up to the backup's head: same last event, same hash.
            let original = try EventStore(directory: data, configuration: .init(createIfMissing: false, logger: quietLogger))
            let copy = try EventStore(directory: restored, configuration: .init(createIfMissing: false, logger: quietLogger))
            defer {
                original.close()
                copy.close()
            }
            #expect(try copy.head().position == position)
            #expect(try copy.head().hash.description == hash)
            #expect(try original.event(at: position)?.hash.description == hash)
            #expect(try original.head().position >= position)
        }
    }

    /// Every byte of the file is checked before anything is kept: a flipped byte in the magic, the
    /// manifest, its digest or a part is refused, and the data directory is left as it was.
    @Test func aCorruptedBackupIsRefusedAndLeavesNothingBehind() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { root in
            let data = root + "/data"
            let file = root + "/backup.crm"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try await CLITests.seedAndClose(data, clock: clock, key: HMACKey.generate(), sign: true)
            let backup = try CLI.run(["backup", "--data", data, "--to", file])
            #expect(backup.status == 0, "stderr: \(backup.stderr)")
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let manifestLength = original[8..<12].reduce(0) { $0 << 8 | Int($1) }
            let offsets = [3, 10, 12 + manifestLength / 2, 12 + manifestLength + 5, 12 + manifestLength + 40,
                           (12 + manifestLength + 32 + original.count) / 2, original.count - 1]
            for offset in offsets {
                var damaged = original
                damaged[offset] ^= 0x20
                let copy = root + "/damaged-\(offset).crm"
                try Data(damaged).write(to: URL(fileURLWithPath: copy))
                // Into a directory that does not exist: it must not exist afterwards either.
                let fresh = root + "/fresh-\(offset)"
                let refused = try CLI.run(["restore", "--from", copy, "--data", fresh])
                #expect(refused.status == 1, "offset \(offset): \(refused.stdout) \(refused.stderr)")
                CLI.expectOneLineError(refused, containing: "refused \(copy)")
                #expect(!FileManager.default.fileExists(atPath: fresh), "offset \(offset)")
                // Into an existing directory holding only keys: it keeps exactly what it had.
                let keep = root + "/keep-\(offset)"
                try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
                try "x".write(toFile: keep + "/master.key", atomically: true, encoding: .utf8)
                let again = try CLI.run(["restore", "--from", copy, "--data", keep])
                #expect(again.status == 1, "offset \(offset)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: keep) == ["master.key"], "offset \(offset)")
            }
            // A file cut short is refused too.
            let cut = root + "/cut.crm"
            try Data(original.dropLast(100)).write(to: URL(fileURLWithPath: cut))
            let truncated = try CLI.run(["restore", "--from", cut, "--data", root + "/fresh-cut"])
            #expect(truncated.status == 1)
            CLI.expectOneLineError(truncated, containing: "truncated or extended")
            // The intact file restores.
            let intact = try CLI.run(["restore", "--from", file, "--data", root + "/fresh-intact"])
            #expect(intact.status == 0, "stderr: \(intact.stderr)")
        }
    }

    /// The chain is verified before the restore is accepted: under another checkpoint key the
    /// signed checkpoint does not authenticate, so the restore is refused with the first bad
    /// position and nothing is left behind.
    @Test func aChainThatDoesNotVerifyIsRefusedWithTheFirstBadPosition() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { root in
            let data = root + "/data"
            let file = root + "/backup.crm"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try await CLITests.seedAndClose(data, clock: clock, key: HMACKey.generate(), sign: true)
            #expect(try CLI.run(["backup", "--data", data, "--to", file]).status == 0)
            let target = root + "/target"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            _ = try HMACKey.load(file: target + "/checkpoint.key", createIfMissing: true)
            let refused = try CLI.run(["restore", "--from", file, "--data", target])
            #expect(refused.status == 1)
            #expect(refused.stdout.hasPrefix("first bad position 5: signed checkpoint at 5 has an invalid HMAC"))
            CLI.expectOneLineError(refused, containing: "does not verify (first bad position 5)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["checkpoint.key"])
        }
    }

    /// A directory that has a log is replaced only with --force; then log and tokens are replaced,
    /// the read models and idempotency answers (which describe the replaced log) go, and the
    /// keys and erasure lists stay.
    @Test func restoreOntoAnExistingLogNeedsForce() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { root in
            let source = root + "/source"
            let target = root + "/target"
            let file = root + "/backup.crm"
            let keyFile = root + "/checkpoint.key"
            let key = try HMACKey.load(file: keyFile, createIfMissing: true)
            try await CLITests.seedAndClose(source, clock: clock, key: key, sign: true)
            try FileManager.default.copyItem(atPath: keyFile, toPath: source + "/checkpoint.key")
            let tokens = try CLI.run(["token", "create", "--data", source, "--user", "ops", "--role", "admin"])
            #expect(tokens.status == 0, "stderr: \(tokens.stderr)")
            #expect(try CLI.run(["backup", "--data", source, "--to", file]).status == 0)
            #expect(try Backups.manifest(file)["environments"].map { ($0 as? [[String: Any]])?.compactMap { $0["name"] as? String } } == ["log", "tokens"])

            // The target: another log (one event) under the same key, plus what must survive.
            try await Backups.appendAndRelease(target, count: 1, key: key)
            try FileManager.default.copyItem(atPath: keyFile, toPath: target + "/checkpoint.key")
            for name in ["master.key", "master.key.erasures", "notes.txt"] { try name.write(toFile: "\(target)/\(name)", atomically: true, encoding: .utf8) }
            for name in ["projections/customer360", "idempotency"] {
                try FileManager.default.createDirectory(atPath: "\(target)/\(name)", withIntermediateDirectories: true)
            }

            let refused = try CLI.run(["restore", "--from", file, "--data", target])
            #expect(refused.status == 2)
            CLI.expectOneLineError(refused, containing: "already holds a log; pass --force")
            #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted()
                    == ["checkpoint.key", "crm.lock", "idempotency", "log", "master.key", "master.key.erasures", "notes.txt", "projections"])

            let forced = try CLI.run(["restore", "--from", file, "--data", target, "--force"])
            #expect(forced.status == 0, "stderr: \(forced.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted()
                    == ["checkpoint.key", "crm.lock", "log", "master.key", "master.key.erasures", "notes.txt", "tokens"])
            let verify = try CLI.run(["verify", "--data", target])
            #expect(verify.status == 0)
            #expect(verify.stdout.hasPrefix("intact: 5 events checked"))
            let list = try CLI.run(["token", "list", "--data", target])
            #expect(list.stdout.contains("ops"))
            // A directory holding other things (a mistyped path) is not filled with a store.
            let foreign = try CLI.run(["restore", "--from", file, "--data", root])
            #expect(foreign.status == 2)
            CLI.expectOneLineError(foreign, containing: "holds backup.crm, which is not part of a data directory")
            #expect(!FileManager.default.fileExists(atPath: root + "/log"))
        }
    }

    /// Compaction keeps every event and the chain, and never grows the file.
    @Test func compactShrinksOrKeepsTheSizeAndTheLogStillVerifies() async throws {
        try await withTemporaryDirectory { root in
            let data = root + "/data"
            // The key in its default place, so compact authenticates the checkpoints.
            let key = try HMACKey.load(file: data + "/checkpoint.key", createIfMissing: true)
            // Many small commits: every commit copies the pages it touches, so the file gathers
            // free pages.
            let head = try await Backups.appendAndRelease(data, count: 300, key: key)
            let before = try Backups.size(data + "/log/data.mdb")

            let compact = try CLI.run(["compact", "--data", data])
            #expect(compact.status == 0, "stderr: \(compact.stderr)")
            #expect(compact.stdout.contains("log: "))
            let after = try Backups.size(data + "/log/data.mdb")
            #expect(after <= before)
            let verify = try CLI.run(["verify", "--data", data])
            #expect(verify.status == 0)
            #expect(verify.stdout.hasPrefix("intact: 300 events checked"))
            #expect(verify.stdout.contains("3 signed checkpoints verified"))
            let reopened = try EventStore(directory: data, configuration: .init(createIfMissing: false, logger: quietLogger))
            #expect(try reopened.head() == head)
            // Offline only: with the store open, compact is refused.
            let locked = try CLI.run(["compact", "--data", data])
            #expect(locked.status == 2)
            CLI.expectOneLineError(locked, containing: "in use by another process")
            reopened.close()
            #expect(!(try FileManager.default.contentsOfDirectory(atPath: data).contains { $0.hasPrefix(".compact") }))
        }
    }

    /// The subject keys and the tokens travel with the log (any LMDB environment named `keys` or
    /// `tokens`); the master key, the checkpoint key, erasure lists, read models and idempotency
    /// answers never do.
    @Test func keysAndTokensTravelButNeverTheKeyFiles() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { root in
            let source = root + "/source"
            let file = root + "/backup.crm"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let key = try HMACKey.load(file: source + "/checkpoint.key", createIfMissing: true)
            try await CLITests.seedAndClose(source, clock: clock, key: key, sign: true)
            do {
                let keys = try KeyValueStore(directory: source + "/keys", tables: ["keys"], mapSize: 1 << 20)
                try keys.write { try $0.put(0, Array("customer:1".utf8), [1, 2, 3]) }
            }
            #expect(try CLI.run(["token", "create", "--data", source, "--user", "ops", "--role", "admin"]).status == 0)
            for name in ["master.key", "master.key.erasures"] { try name.write(toFile: "\(source)/\(name)", atomically: true, encoding: .utf8) }
            for name in ["projections/audit/gen-1", "idempotency"] {
                try FileManager.default.createDirectory(atPath: "\(source)/\(name)", withIntermediateDirectories: true)
            }
            let backup = try CLI.run(["backup", "--data", source, "--to", file])
            #expect(backup.status == 0, "stderr: \(backup.stderr)")
            let environments = try #require(try Backups.manifest(file)["environments"] as? [[String: Any]])
            #expect(environments.compactMap { $0["name"] as? String } == ["log", "keys", "tokens"])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data(try String(contentsOfFile: source + "/checkpoint.key", encoding: .utf8).utf8)) == nil)

            let restored = root + "/restored"
            let restore = try CLI.run(["restore", "--from", file, "--data", restored, "--checkpoint-key", source + "/checkpoint.key"])
            #expect(restore.status == 0, "stderr: \(restore.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: restored).sorted() == ["crm.lock", "keys", "log", "tokens"])
            let keys = try KeyValueStore(directory: restored + "/keys", tables: ["keys"], mapSize: 1 << 20)
            #expect(try keys.read { try $0.get(0, Array("customer:1".utf8)) } == [1, 2, 3])
            #expect(try CLI.run(["token", "list", "--data", restored]).stdout.contains("ops"))
        }
    }

    /// A read-only opener maps the file at the size recorded when it opened; when the server
    /// grows the map beyond it, LMDB answers `MDB_MAP_RESIZED` and the opener adopts the new size
    /// (without that, a backup or doctor beside a growing log failed).
    @Test func theReadOnlyLogFollowsAMapGrownByTheServer() async throws {
        try await withTemporaryDirectory { root in
            let data = root + "/data"
            do {
                // A log created with a tiny map, so the writer below must grow it.
                let store = try EventStore(directory: data, configuration: .init(initialMapSize: 256 << 10, logger: quietLogger))
                defer { store.close() }
                try await store.append("s", [ProposedEvent(type: "Tick", data: Array("{}".utf8))], expected: .any,
                                       metadata: AppendMetadata(actor: Actor(id: "t", role: "admin"), source: .local(tool: "test")))
            }
            let log = try ReadOnlyLog(directory: data)
            let mapBefore = try log.environment.usage().mapBytes
            #expect(mapBefore < 1 << 20)
            let writer = try CLI.start(["crash-writer", "--data", data, "--writers", "2"])
            defer { writer.stop() }
            try writer.waitForStdoutLines(1500)
            let head = try log.head()
            #expect(head.position > 1000)
            #expect(try log.environment.usage().mapBytes > mapBefore)
            var copied: UInt64 = 0
            try log.environment.copyCompacted { copied += UInt64($0.count) }
            #expect(copied > mapBefore)
            #expect(try log.verify(to: head.position, checkpointKey: nil).isIntact)
        }
    }

    @Test func backupRefusesToOverwriteOrToWriteInsideTheDataDirectory() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { root in
            let data = root + "/data"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try await CLITests.seedAndClose(data, clock: clock)
            let inside = try CLI.run(["backup", "--data", data, "--to", data + "/backup.crm"])
            #expect(inside.status == 2)
            CLI.expectOneLineError(inside, containing: "inside the data directory")
            try "old".write(toFile: root + "/b.crm", atomically: true, encoding: .utf8)
            let exists = try CLI.run(["backup", "--data", data, "--to", root + "/b.crm"])
            #expect(exists.status == 2)
            CLI.expectOneLineError(exists, containing: "pass --force")
            #expect(try CLI.run(["backup", "--data", data, "--to", root + "/b.crm", "--force"]).status == 0)
            #expect(try Backups.manifest(root + "/b.crm")["format"] as? String == "crm-backup/1")
        }
    }
}

/// Helpers for the operations tests.
enum Backups {
    /// The manifest written beside a backup (`FILE.json`).
    static func manifest(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: file + ".json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Appends `count` events, one per commit, to the store in `directory` (created if missing)
    /// and closes it; returns its head. The store is gone (its lock released) when this returns.
    @discardableResult
    static func appendAndRelease(_ directory: String, count: Int, key: HMACKey) async throws -> LogHead {
        let store = try EventStore(directory: directory, configuration: .init(checkpointInterval: 100, checkpointKey: key, logger: quietLogger))
        defer { store.close() }
        let metadata = AppendMetadata(actor: Actor(id: "t", role: "admin"), source: .local(tool: "test"))
        for round in 0..<count {
            let data = Array(#"{"round":\#(round),"pad":"\#(String(repeating: "x", count: 300))"}"#.utf8)
            try await store.append("stream-\(round % 7)", [ProposedEvent(type: "Tick", data: data)], expected: .any, metadata: metadata)
        }
        return try store.head()
    }

    static func size(_ path: String) throws -> UInt64 {
        try #require((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value)
    }

    /// Flips one bit of every occurrence of `text` in `file` (LMDB may keep stale copies of a
    /// page in free pages; the live one is among them).
    static func flipEveryOccurrence(of text: String, in file: String) throws -> Int {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        let needle = Array(text.utf8)
        var found = 0
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], Array(bytes[index..<index + needle.count]) == needle {
                bytes[index] ^= 0x20
                found += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return found
    }
}

extension CLI {
    /// A `crm` process running in the background, its output going to files.
    final class Background: @unchecked Sendable {
        // @unchecked: used from one test at a time; `ChildProcess` is not Sendable but is only
        // touched by the test that started it.
        let process: ChildProcess
        let stdout: URL
        let stderr: URL
        let directory: URL

        init(process: ChildProcess, directory: URL) {
            self.process = process
            self.directory = directory
            stdout = directory.appendingPathComponent("stdout")
            stderr = directory.appendingPathComponent("stderr")
        }

        func stdoutLines() throws -> [Substring] {
            String(decoding: try Data(contentsOf: stdout), as: UTF8.self).split(separator: "\n")
        }

        /// Waits (at most two minutes, the machine may be loaded) until the process has printed
        /// `count` lines; fails with its standard error otherwise.
        func waitForStdoutLines(_ count: Int) throws {
            for _ in 0..<1200 {
                if try stdoutLines().count >= count { return }
                guard process.isRunning else { break }
                usleep(100_000)
            }
            let errors = String(decoding: (try? Data(contentsOf: stderr)) ?? Data(), as: UTF8.self)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "crm printed too little; stderr: \(errors)"])
        }

        /// Ends the process (SIGKILL, as a crash would) and waits for it.
        func stop() {
            if process.isRunning {
                process.kill(SIGKILL)
                process.wait()
            }
        }

        deinit {
            stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Starts `crm` with `arguments` without waiting for it.
    static func start(_ arguments: [String]) throws -> Background {
        guard let binary else { throw CocoaError(.fileNoSuchFile) }
        var environment = ProcessInfo.processInfo.environment
        environment["CRM_DATA"] = nil
        environment["CRM_CHECKPOINT_KEY"] = nil
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bg-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = try ChildProcess(binary.path, arguments, environment: environment,
                                       stdout: directory.appendingPathComponent("stdout").path,
                                       stderr: directory.appendingPathComponent("stderr").path)
        return Background(process: process, directory: directory)
    }
}

/// The drills' load generator must not outlive the drill: a test run cut short (an interrupted
/// `swift test`) left a `crm crash-writer` appending, and taking most of a core, for hours.
@Suite(.enabled(if: CLI.binary != nil, "the crm binary is not built next to the tests"))
struct CrashWriterOrphanTests {
    @Test func crashWriterEndsWhenItsParentDoes() async throws {
        try await withTemporaryDirectory { root in
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let pidFile = root + "/pid"
            // A shell starts the writer in the background, writes its pid and exits a moment later.
            let shell = try ChildProcess("/bin/sh", ["-c", #""$0" crash-writer --data "$1/data" --writers 1 2>"$1/err" & echo $! > "$1/pid"; sleep 1"#,
                                                     CLI.binary!.path, root])
            #expect(shell.wait() == .exit(0))
            let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            defer { kill(pid, SIGKILL) }
            // Running: its /proc entry exists and is not a zombie waiting to be reaped.
            func running() -> Bool {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return false }
                return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
            }
            var alive = true
            for _ in 0..<100 {
                alive = running()
                guard alive else { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!alive, "crash-writer \(pid) still runs 10 s after its parent ended")
            #expect(try String(contentsOfFile: root + "/err", encoding: .utf8).contains("the process that started it ended"))
        }
    }
}
