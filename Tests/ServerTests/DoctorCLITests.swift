import EventStore
import Foundation
import Projections
import Testing

/// `crm doctor`, run as the built binary.
@Suite(.enabled(if: CLI.binary != nil, "the crm binary is not built next to the tests"))
struct DoctorCLITests {
    /// A healthy directory: exit 0, the sizes of the log, a verdict; the same beside a process
    /// that holds the store open (doctor takes no lock).
    @Test func aHealthyDirectoryBesideARunningStore() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { directory in
            let key = try HMACKey.load(file: directory + "/checkpoint.key", createIfMissing: true)
            try await CLITests.seedAndClose(directory, clock: clock, key: key, sign: true)
            let text = try CLI.run(["doctor", "--data", directory])
            #expect(text.status == 0, "stdout: \(text.stdout) stderr: \(text.stderr)")
            #expect(text.stdout.contains("chain         tail nothing after 5: intact"))
            #expect(text.stdout.contains("verdict: healthy"))
            #expect(text.stderr.isEmpty)

            let store = try EventStore(directory: directory, configuration: .init(createIfMissing: false, checkpointKey: key, logger: quietLogger))
            defer { store.close() }
            let json = try CLI.run(["doctor", "--data", directory, "--json", "--full"])
            #expect(json.status == 0, "stderr: \(json.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect((report["verdict"] as? String)?.hasPrefix("healthy") == true)
            let environments = try #require(report["environments"] as? [[String: Any]])
            let log = try #require(environments.first)
            #expect(log["name"] as? String == "log")
            let usage = try #require(log["usage"] as? [String: Any])
            let fileBytes = try #require((usage["fileBytes"] as? NSNumber)?.uint64Value)
            #expect(fileBytes == (try Backups.size(directory + "/log/data.mdb")))
            #expect(((usage["mapBytes"] as? NSNumber)?.uint64Value ?? 0) >= fileBytes)
            let written = try #require((usage["highWaterPages"] as? NSNumber)?.uint64Value)
            let free = try #require((usage["freeListPages"] as? NSNumber)?.uint64Value)
            #expect(written > free)
            #expect(((log["liveBytes"] as? NSNumber)?.uint64Value ?? 0) > 0)
            let chain = try #require(report["chain"] as? [String: Any])
            #expect(chain["scope"] as? String == "full")
            #expect((chain["checkedEvents"] as? NSNumber)?.intValue == 5)
            #expect(chain["intact"] as? Bool == true)
            // The open store's lock is untouched: a second opener is still refused.
            #expect(try CLI.run(["verify", "--data", directory]).status == 2)
        }
    }

    /// An edited event: doctor names it and exits 1 (text and JSON).
    @Test func aTamperedLogIsAProblem() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { directory in
            try await CLITests.seedAndClose(directory, clock: clock)
            // Event 4's reason; every copy of its page in the file.
            #expect(try Backups.flipEveryOccurrence(of: "quarterly", in: directory + "/log/data.mdb") > 0)
            let text = try CLI.run(["doctor", "--data", directory])
            #expect(text.status == 1)
            #expect(text.stdout.contains("problem  chain: first bad position 4"))
            #expect(text.stdout.hasSuffix("verdict: problems found\n"))
            let json = try CLI.run(["doctor", "--data", directory, "--json"])
            #expect(json.status == 1)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let chain = try #require(report["chain"] as? [String: Any])
            #expect((chain["firstBadPosition"] as? NSNumber)?.intValue == 4)
            #expect(report["verdict"] as? String == "problems found")
        }
    }

    /// Projector lag is read from each read model's active generation record: behind the head is
    /// reported; beyond the head (a read model of another log) is a problem.
    @Test func projectorLagFromTheActiveGeneration() async throws {
        let clock = TestClock(may1st)
        try await withTemporaryDirectory { directory in
            try await CLITests.seedAndClose(directory, clock: clock)
            try Self.writeGeneration(directory, projector: "audit", generation: 2, checkpoint: 3)
            let behind = try CLI.run(["doctor", "--data", directory, "--json"])
            #expect(behind.status == 0, "stdout: \(behind.stdout)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(behind.stdout.utf8)) as? [String: Any])
            let projectors = try #require(report["projectors"] as? [[String: Any]])
            let audit = try #require(projectors.first { $0["name"] as? String == "audit" })
            #expect((audit["generation"] as? NSNumber)?.intValue == 2)
            #expect((audit["checkpoint"] as? NSNumber)?.intValue == 3)
            #expect((audit["lagPositions"] as? NSNumber)?.intValue == 2)
            // The audit index reads every event type: both remaining events are pending.
            #expect((audit["pendingEvents"] as? NSNumber)?.intValue == 2)
            #expect((audit["lagSeconds"] as? NSNumber)?.doubleValue == 86_400)
            #expect(audit["state"] as? String == "behind")
            let environments = try #require(report["environments"] as? [[String: Any]])
            #expect(environments.contains { $0["name"] as? String == "projections/audit/gen-2" })

            try Self.writeGeneration(directory, projector: "audit", generation: 3, checkpoint: 9)
            let ahead = try CLI.run(["doctor", "--data", directory])
            #expect(ahead.status == 1)
            #expect(ahead.stdout.contains("problem  projector audit: reflects position 9 but the log ends at 5"))
        }
    }

    /// A generation as the projection runtime leaves it: `gen-<n>/` with the `_meta` record, and
    /// `ACTIVE` naming it.
    static func writeGeneration(_ directory: String, projector: String, generation: Int, checkpoint: UInt64) throws {
        let root = "\(directory)/projections/\(projector)"
        let store = try KeyValueStore(directory: "\(root)/gen-\(generation)", tables: ["_meta"], mapSize: 1 << 20)
        let version = StandardProjectors.all.first { $0.name == projector }?.version ?? 1
        let json = #"{"projector":"\#(projector)","version":\#(version),"generation":\#(generation),"checkpoint":\#(checkpoint),"#
            + #""lastRecordedAt":\#(may1st + Int64(checkpoint - 1) * day),"eventsApplied":\#(checkpoint),"startPosition":1,"format":2}"#
        // The runtime's own type must read it, or doctor could not either.
        let bytes = Array(json.utf8)
        #expect(try JSONDecoder().decode(GenerationRecord.self, from: Data(bytes)).checkpoint == checkpoint)
        try store.write { try $0.put(0, Array("record".utf8), bytes) }
        try "\(generation)\n".write(toFile: root + "/ACTIVE", atomically: true, encoding: .utf8)
    }
}
