import EventStore
import Foundation
import Server
import Testing

/// `crm serve` as a child process: SIGTERM lets the request in flight finish, then the process
/// closes the store and exits 0.
@Suite("Operations: graceful shutdown")
struct OperationsShutdownTests {
    @Test func sigtermFinishesTheRequestInFlightAndExitsZero() async throws {
        try await withTemporaryDirectory { directory in
            let clock = TestClock(may1st)
            try await CLITests.seedAndClose(directory, clock: clock)
            let tokens = try TokenStore(directory: directory + "/tokens")
            let admin = try tokens.create(user: "ops", role: .admin).bearer
            let port = Int.random(in: 20_000...60_000)
            let server = Process()
            server.executableURL = try #require(CLI.binary)
            server.arguments = ["serve", "--data", directory, "--port", String(port), "--log-level", "warning"]
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try CLI.launch(server)
            defer { if server.isRunning { server.terminate() } }

            let base = "http://127.0.0.1:\(port)"
            var up = false
            for _ in 0..<300 where !up {
                up = (try? curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/health"]).output) == "200"
                if !up { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(up, "the server did not come up on port \(port)")

            // A request in flight when SIGTERM arrives: the live feed, which sends the log's five
            // events and then waits for more; a graceful shutdown ends it with a complete answer.
            // (It used to be a minPosition beyond the log head, which is now refused at once.)
            let inFlight = Task {
                try curl(["-s", "-N", "-w", "\n%{http_code}", "-H", "Authorization: Bearer \(admin)", "\(base)/v1/feed?from=1"])
            }
            try await Task.sleep(for: .milliseconds(500))
            kill(server.processIdentifier, SIGTERM)
            let answer = try await inFlight.value
            #expect(answer.status == 0, "curl exited with \(answer.status): the feed did not end")
            #expect(answer.output.hasSuffix("200"), "\(answer.output)")
            #expect(answer.output.contains("id: 5\n"))
            for _ in 0..<200 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!server.isRunning)
            #expect(server.terminationStatus == 0)
            // The store was closed cleanly: it opens again (the directory lock is free).
            let reopened = try EventStore(directory: directory, configuration: .init(logger: quietLogger))
            #expect(try reopened.head().position == 5)
            reopened.close()
        }
    }

    /// Runs the `curl` command line and returns its standard output.
    func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "--max-time", "10"] + arguments
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crm-curl-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: file), as: UTF8.self))
    }
}
