import EventStore
import Foundation
import Testing
import TestSupport

/// The `crm` operator commands, run as the built binary next to the test bundle.
@Suite(.enabled(if: CLI.binary != nil, "the crm binary is not built next to the tests"))
struct CLITests {
    @Test func missingDirectory() throws {
        let result = try CLI.run(["verify", "--data", "/nonexistent/crm-data"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        CLI.expectOneLineError(result, containing: "directory does not exist")
    }

    @Test func foreignDirectory() async throws {
        try await withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "hello".write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
            for command in ["verify", "log", "stats"] {
                let result = try CLI.run([command, "--data", directory])
                #expect(result.status == 2)
                CLI.expectOneLineError(result, containing: "is not a CRM event store")
            }
            // A file where a directory should be.
            let result = try CLI.run(["stats", "--data", directory + "/notes.txt"])
            #expect(result.status == 2)
            CLI.expectOneLineError(result, containing: "not a CRM event store")
        }
    }

    @Test func lockedByARunningServer() async throws {
        try await withStore { store, directory in
            let result = try CLI.run(["log", "--data", directory])
            #expect(result.status == 2)
            CLI.expectOneLineError(result, containing: "in use by another process")
        }
    }

    @Test func missingDataOption() throws {
        let result = try CLI.run(["stats"], environment: ["CRM_DATA": nil])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--data"))
    }

    @Test func readsAStore() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { directory in
            try await Self.seedAndClose(directory, clock: clock)

            let verify = try CLI.run(["verify", "--data", directory])
            #expect(verify.status == 0)
            #expect(verify.stdout.hasPrefix("intact: 5 events checked (positions 1…5)"))
            #expect(verify.stderr.isEmpty)

            let log = try CLI.run(["log"], environment: ["CRM_DATA": directory])
            #expect(log.status == 0)
            let lines = log.stdout.split(separator: "\n")
            #expect(lines.count == 5)
            let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(first["position"] as? Int == 1)
            #expect(first["data"] is [String: Any])

            #expect(try CLI.run(["log", "--data", directory, "--from", "4"]).stdout.split(separator: "\n").count == 2)
            #expect(try CLI.run(["log", "--data", directory, "--stream", "customer-1"]).stdout.split(separator: "\n").count == 3)
            #expect(try CLI.run(["log", "--data", directory, "--stream", "customer-1", "--from", "3"]).stdout.split(separator: "\n").count == 1)
            #expect(try CLI.run(["log", "--data", directory, "--actor", "bob"]).stdout.split(separator: "\n").count == 2)
            #expect(try CLI.run(["log", "--data", directory, "--actor", "bob", "--stream", "customer-1"]).stdout.split(separator: "\n").count == 1)
            #expect(try CLI.run(["log", "--data", directory, "--limit", "2"]).stdout.split(separator: "\n").count == 2)
            #expect(try CLI.run(["log", "--data", directory, "--limit", "0"]).status != 0)

            let stats = try CLI.run(["stats", "--data", directory, "--json"])
            #expect(stats.status == 0)
            let decoded = try JSONDecoder().decode(StoreStatistics.self, from: Data(stats.stdout.utf8))
            #expect(decoded.events == 5)
            let human = try CLI.run(["stats", "--data", directory])
            #expect(human.stdout.contains("events       5"))
        }
    }

    @Test func verifyAuthenticatesCheckpointsWithTheKey() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { directory in
            let key = HMACKey.generate()
            try await Self.seedAndClose(directory, clock: clock, key: key, sign: true)
            // Without the key: matched but not authenticated.
            let unkeyed = try CLI.run(["verify", "--data", directory])
            #expect(unkeyed.status == 0)
            #expect(unkeyed.stdout.contains("not authenticated"))
            // With a different key the signature does not verify.
            let wrongKey = directory + "-wrong.key"
            defer { try? FileManager.default.removeItem(atPath: wrongKey) }
            _ = try HMACKey.load(file: wrongKey, createIfMissing: true)
            let wrong = try CLI.run(["verify", "--data", directory, "--checkpoint-key", wrongKey])
            #expect(wrong.status == 1)
            #expect(wrong.stdout.hasPrefix("first bad position 5: signed checkpoint at 5 has an invalid HMAC"))
            // A key file that does not exist is an error, not a silent unauthenticated run.
            let missing = try CLI.run(["verify", "--data", directory], environment: ["CRM_CHECKPOINT_KEY": directory + "-none.key"])
            #expect(missing.status == 2)
            CLI.expectOneLineError(missing, containing: "does not exist")
        }
    }

    @Test func importNamesTheFirstRefusals() async throws {
        try await withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            func line(_ n: Int, _ type: String, _ command: String) -> String {
                let id = String(format: "00000000-0000-4000-8000-%012d", n)
                return #"{"actor":{"id":"mgr-07","role":"manager"},"at":"2025-01-01T09:00:00.000Z","command":\#(command),"#
                    + #""id":"\#(id)","source":{"clientAddress":"10.0.0.1","host":"ws-1","userAgent":"test"},"type":"\#(type)"}"#
            }
            var lines = [line(1, "RegisterCustomer", #"{"channel":"phone","customerId":"c1","kind":"person","name":"Ana Ruiz"}"#), ""]
            // Lines 3…14: twelve tags for a customer that does not exist.
            for n in 3...14 { lines.append(line(n, "TagCustomer", #"{"customerId":"nobody","tag":"vip","tagged":true}"#)) }
            let file = directory + "/commands.ndjson"
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)

            let result = try CLI.run(["import", file, "--data", directory + "/data", "--batch-size", "5"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("13 commands"))
            #expect(result.stderr.contains("1 applied"))
            #expect(result.stderr.contains("12 rejected (not-found=12)"))
            let named = result.stderr.split(separator: "\n").filter { $0.hasPrefix("import: line ") }
            #expect(named.count == 10)
            #expect(named.first == "import: line 3: TagCustomer 00000000-0000-4000-8000-000000000003 refused (not-found): customer nobody does not exist")
            #expect(named.last?.hasPrefix("import: line 12: TagCustomer") == true)
            #expect(result.stderr.contains("import: … and 2 more refused"))
        }
    }

    /// Seeds a store in `directory` and lets it go, so the directory lock is released.
    static func seedAndClose(_ directory: String, clock: TestClock, key: HMACKey? = nil, sign: Bool = false) async throws {
        let store = try EventStore(directory: directory, configuration: .init(checkpointKey: key, clock: { clock.milliseconds }, logger: quietLogger))
        try await seed(store, clock: clock)
        if sign { try await store.signCheckpoint() }
        store.close()
    }
}

/// Runs the `crm` executable.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `crm` in the build directory that holds the test bundle.
    static let binary: URL? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("crm")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> Result {
        guard let binary else { throw CocoaError(.fileNoSuchFile) }
        var env = ProcessInfo.processInfo.environment
        env["CRM_DATA"] = nil
        env["CRM_CHECKPOINT_KEY"] = nil
        env["CRM_TOKEN_STORE"] = nil
        for (name, value) in environment { env[name] = value }
        // Output goes to files, not pipes: reading one pipe to the end while the child fills the
        // other would deadlock.
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("crm-cli-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("stdout").path
        let errPath = directory.appendingPathComponent("stderr").path
        let child = try ChildProcess(binary.path, arguments, environment: env, stdout: outPath, stderr: errPath)
        let status: Int32
        switch child.wait() {
        case .exit(let code): status = code
        case .signal(let signal): status = 128 + signal
        }
        let out = try Data(contentsOf: URL(fileURLWithPath: outPath))
        let err = try Data(contentsOf: URL(fileURLWithPath: errPath))
        return Result(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// One line on stderr that names the problem; no crash report, no stack trace.
    static func expectOneLineError(_ result: Result, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("crm "), sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("Fatal error"), sourceLocation: sourceLocation)
    }
}
