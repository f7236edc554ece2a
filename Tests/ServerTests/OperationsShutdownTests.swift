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
            // Generous: under the whole suite on two cores this test takes 30 s or more.
            for _ in 0..<1200 where !up {
                up = (try? curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/health"]).output) == "200"
                if !up { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(up, "the server did not come up on port \(port)")

            // A request in flight when SIGTERM arrives: the live feed, which sends the log's five
            // events and then waits for more; a graceful shutdown ends it with a complete answer.
            // (It used to be a minPosition beyond the log head, which is now refused at once.)
            // SIGTERM goes only once the feed has sent its events, so the request is surely in
            // flight: a fixed pause of 500 ms was too short when the whole suite loaded the two
            // cores (the feed was not yet served, and curl timed out in CI).
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("crm-feed-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: output) }
            let feed = try ChildProcess("/usr/bin/env", ["curl", "--max-time", "60", "-s", "-N", "-w", "\n%{http_code}",
                                                         "-H", "Authorization: Bearer \(admin)", "\(base)/v1/feed?from=1"], stdout: output.path)
            defer { if feed.isRunning { feed.kill(SIGKILL); feed.wait() } }
            func received() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
            for _ in 0..<600 where !received().contains("id: 5\n") { try await Task.sleep(for: .milliseconds(50)) }
            try #require(received().contains("id: 5\n"), "the feed did not send the log's events: \(received())")
            server.kill(SIGTERM)
            let status: Int32
            switch feed.wait() {
            case .exit(let code): status = code
            case .signal(let signal): status = 128 + signal
            }
            let answer = (status: status, output: received())
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
