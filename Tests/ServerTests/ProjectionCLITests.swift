import Foundation
import Testing

/// `crm rebuild` and `crm replay` on a small generated company, run as the built binary.
@Suite(.enabled(if: CLI.binary != nil, "the crm binary is not built next to the tests"))
struct ProjectionCLITests {
    @Test("rebuild twice: every read model is reproduced byte for byte; replay under other rules compares with the live one")
    func rebuildAndReplay() throws {
        let root = NSTemporaryDirectory() + "crm-projection-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = root + "/data"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let generated = try CLI.run(["fixtures", "generate", "--customers", "25", "--years", "2", "--seed", "5", "--out", root + "/c.ndjson"])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(try CLI.run(["import", root + "/c.ndjson", "--data", data]).status == 0)

        let first = try CLI.run(["rebuild", "--data", data])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try CLI.run(["rebuild", "--data", data, "--checksums"])
        #expect(second.status == 0, "\(second.stderr)")
        let lines = second.stdout.split(separator: "\n").filter { $0.contains("generation") }
        #expect(lines.count == 9)
        for line in lines { #expect(line.contains("checksum equal to the previous read model"), "\(line)") }
        #expect(try CLI.run(["rebuild", "--data", data, "--projector", "nope"]).status == 2)

        let template = try CLI.run(["replay", "--data", data, "--print-rules"])
        #expect(template.status == 0)
        var rules = try #require(try JSONSerialization.jsonObject(with: Data(template.stdout.utf8)) as? [String: Any])
        rules["version"] = 2
        rules["churnAfterDays"] = 120
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: root + "/rules.json"))
        let replay = try CLI.run(["replay", "--data", data, "--rules", root + "/rules.json", "--as", "churn120"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("| lost |"))
        #expect(replay.stdout.contains("rules v2"))
        // Churning after 120 days instead of 365 loses at least as many customers.
        let lost = try #require(replay.stdout.split(separator: "\n").first { $0.hasPrefix("| lost |") })
        let cells = lost.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect((Int(cells[2]) ?? 0) >= (Int(cells[1]) ?? .max), "\(lost)")
        #expect(FileManager.default.fileExists(atPath: data + "/projections/_scratch/churn120"))

        let missing = try CLI.run(["replay", "--data", data])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("--rules"))
    }
}
