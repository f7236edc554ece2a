import Foundation
import Testing
import TestSupport
@testable import EventStore

/// Kills a child process that appends continuously with SIGKILL at random moments and checks that
/// every append it saw acknowledged survived, the chain verifies, and the store opens cleanly.
@Suite("Crash safety", .serialized)
struct CrashTests {
    /// `CRM_CRASH_ITERATIONS` raises the count for the longer drill (`scripts/crash-drill.sh`).
    static let iterations = ProcessInfo.processInfo.environment["CRM_CRASH_ITERATIONS"].flatMap(Int.init) ?? 20

    @Test("SIGKILL at random moments loses no acknowledged append")
    func killedWriter() async throws {
        let binary = try #require(Self.crmBinary(), "the crm executable is built next to the test bundle")
        let dir = TemporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        var acknowledged: [UUID: UInt64] = [:]
        var lastHead: UInt64 = 0
        for round in 0..<Self.iterations {
            let output = dir.path + "-acks-\(round)"
            let errors = dir.path + "-stderr-\(round)"
            defer {
                try? FileManager.default.removeItem(atPath: output)
                try? FileManager.default.removeItem(atPath: errors)
            }
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
            let child = try ChildProcess(binary, ["crash-writer", "--data", dir.path, "--writers", "8"], stdout: output, stderr: errors)
            // Wait until it has opened the store, then let it append for a random while.
            let deadline = Date().addingTimeInterval(20)
            while !((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "").contains("ready") {
                #expect(child.isRunning, "crash-writer exited early: \((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
                guard child.isRunning, Date() < deadline else { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...400, using: &generator)))
            child.kill(SIGKILL)
            #expect(child.wait() == .signal(SIGKILL))

            let lines = ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n")
            var thisRound = 0
            for line in lines {
                let parts = line.split(separator: " ")
                // A line cut by the kill is not an acknowledgement the client could have seen.
                guard parts.count == 3, parts[0] == "ack", let id = UUID(uuidString: String(parts[1])), let position = UInt64(parts[2]) else { continue }
                acknowledged[id] = position
                thisRound += 1
            }
            do {
                let store = try openStore(dir.path, key: try HMACKey.load(file: dir.path + "/checkpoint.key", createIfMissing: false))
                let head = try store.head().position
                #expect(head >= lastHead)
                lastHead = head
                for (id, position) in acknowledged {
                    let stored = try store.event(id: id)
                    #expect(stored?.position == position, "acknowledged event \(id) at \(position) is missing after kill \(round)")
                }
                let report = try store.verify()
                #expect(report.isIntact, "round \(round): \(report.problem ?? "")")
                store.close()
            }
        }
        print("crash drill: \(Self.iterations) kills, \(acknowledged.count) acknowledged events all present, head \(lastHead), chain intact after every restart")
        #expect(acknowledged.count > Self.iterations, "the writer acknowledged appends before being killed")
        #expect(lastHead >= UInt64(acknowledged.count))
    }

    /// The `crm` executable in the same build directory as this test bundle.
    static func crmBinary() -> String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("crm").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
