import EventStore
import Foundation
import Server
import Testing
import TestSupport

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
            let server = try ChildProcess(try #require(CLI.binary).path,
                                          ["serve", "--data", directory, "--port", String(port), "--log-level", "warning"])
            defer { if server.isRunning { server.kill(SIGTERM); server.wait() } }

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
            server.kill(SIGTERM)
            let answer = try await inFlight.value
            #expect(answer.status == 0, "curl exited with \(answer.status): the feed did not end")
            #expect(answer.output.hasSuffix("200"), "\(answer.output)")
            #expect(answer.output.contains("id: 5\n"))
            for _ in 0..<200 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!server.isRunning)
            #expect(server.wait() == .exit(0))
            // The store was closed cleanly: it opens again (the directory lock is free).
            let reopened = try EventStore(directory: directory, configuration: .init(logger: quietLogger))
            #expect(try reopened.head().position == 5)
            reopened.close()
        }
    }

    /// Runs the `curl` command line and returns its standard output.
    func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crm-curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = try ChildProcess("/usr/bin/env", ["curl", "--max-time", "10"] + arguments, stdout: file.path)
        let status: Int32
        switch process.wait() {
        case .exit(let code): status = code
        case .signal(let signal): status = 128 + signal
        }
        return (status, String(decoding: try Data(contentsOf: file), as: UTF8.self))
    }
}
