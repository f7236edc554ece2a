import Foundation
import Testing
import TestSupport

/// The quick start's promise: `crm serve --demo` prints a token per role and three example
/// requests that answer with real data, and the manager and agent tokens act as people of the
/// demo company (so their row scopes are not empty).
@Suite("crm serve --demo greeting")
struct DemoGreetingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/sample-commands.ndjson").path

    @Test func theGreetingsExamplesAnswerWithRealData() async throws {
        try await withTemporaryDirectory { directory in
            let port = Int.random(in: 20_000...60_000)
            let output = directory + "-greeting.txt"
            FileManager.default.createFile(atPath: output, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: output) }
            let server = try ChildProcess(try #require(CLI.binary).path,
                                          ["serve", "--demo", "--fixtures", Self.fixtures, "--data", directory, "--port", String(port),
                                           "--log-level", "warning"],
                                          stdout: output)
            defer { if server.isRunning { server.kill(SIGTERM); server.wait() } }

            var greeting = ""
            for _ in 0..<1200 where !greeting.contains("Public:") {
                try await Task.sleep(for: .milliseconds(100))
                greeting = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data(), as: UTF8.self)
                try #require(server.isRunning, "crm serve --demo stopped: \(greeting)")
            }
            try #require(greeting.contains("Public:"), "no greeting: \(greeting)")

            // A token per role, the manager and agent as real people of the company.
            let tokenLines = greeting.split(separator: "\n").filter { $0.contains("crm_") && $0.contains("(as ") }
            #expect(tokenLines.count == 5)
            func bearer(_ role: String) -> String? {
                tokenLines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(role + " ") }?
                    .split(separator: " ").first { $0.hasPrefix("crm_") }.map(String.init)
            }
            let managerLine = tokenLines.first { $0.contains("manager") }.map(String.init) ?? ""
            #expect(!managerLine.contains("(as demo-manager)"), "\(managerLine)")

            // The three example requests, as printed, each answer 200 with data.
            let curls = greeting.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("curl ") }
            #expect(curls.count == 3)
            let shutdown = OperationsShutdownTests()
            for line in curls {
                let parts = line.split(separator: "'").map(String.init)   // curl -s -H '<header>' '<url>'
                try #require(parts.count >= 4, "\(line)")
                let answer = try shutdown.curl(["-s", "-w", "\n%{http_code}", "-H", parts[1], parts[3]])
                #expect(answer.output.hasSuffix("\n200"), "\(line): \(answer.output.suffix(300))")
                #expect(answer.output.count > 200, "\(line): \(answer.output)")
            }
            // The manager sees its team's customers.
            let manager = try #require(bearer("manager"))
            let list = try shutdown.curl(["-s", "-H", "Authorization: Bearer \(manager)", "http://127.0.0.1:\(port)/v1/customers?limit=5"])
            #expect(list.output.contains("\"customerId\""), "\(list.output)")
        }
    }
}
