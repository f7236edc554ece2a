import Domain
import EventStore
import Foundation
import Projections
import Testing
import TestSupport

/// Kills `crm rebuild --catch-up-only` (the projectors in a child process) with SIGKILL at random
/// moments, resumes it each time, and checks that the read models end byte-identical to ones
/// built without interruption: nothing applied twice, nothing skipped.
@Suite("Projection crash safety", .serialized)
struct ProjectionCrashTests {
    static let iterations = ProcessInfo.processInfo.environment["CRM_CRASH_ITERATIONS"].flatMap(Int.init) ?? 8

    static func crmBinary() -> String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("crm").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    @Test("SIGKILL mid-batch, restart: the same read models as an uninterrupted build")
    func killedProjector() async throws {
        let binary = try #require(Self.crmBinary(), "the crm executable is built next to the test bundle")
        let root = NSTemporaryDirectory() + "crm-projection-crash-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = root + "/data"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        do {
            let store = try EventStore(directory: data, configuration: .init(initialMapSize: 64 << 20))
            try await CompanyLog.importCompany(customers: 30, years: 2, seed: 21, into: CustomerService(handler: CommandHandler(store: store)), scratch: root)
            store.close()
        }
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        let errors = root + "/stderr"
        for _ in 0..<Self.iterations {
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
            let child = try ChildProcess(binary, ["rebuild", "--data", data, "--catch-up-only", "--batch-size", "7"], stderr: errors)
            // A blocking sleep: other suites' synchronous catch-ups can hold every cooperative
            // thread, which would delay a `Task.sleep` until the child had finished.
            usleep(UInt32.random(in: 30_000...300_000, using: &generator))
            if child.isRunning {
                child.kill(SIGKILL)
                killed += 1
            }
            let ended = child.wait()
            if ended != .signal(SIGKILL) {
                #expect(ended == .exit(0), "\(ended): \((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
            }
        }
        #expect(killed > 0, "no run was interrupted; lower the sleep")
        // Finish in this process, then build the same read models from scratch elsewhere.
        let store = try EventStore(directory: data, configuration: .init())
        defer { store.close() }
        let resumed = try ProjectionEngine(store: store, projectors: StandardProjectors.all)
        let progressed = resumed.status().map(\.checkpoint)
        try resumed.catchUp()
        let fresh = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: root + "/fresh")
        try fresh.catchUp()
        for name in resumed.names {
            #expect(try resumed.checksum(of: name) == fresh.checksum(of: name), "\(name)")
            #expect(try resumed.read(name) { $0.position } == store.headWatch.head)
        }
        #expect(progressed.contains { $0 > 0 }, "the killed runs made progress before dying")
    }
}
