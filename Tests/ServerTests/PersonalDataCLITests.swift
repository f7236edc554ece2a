import Foundation
import Testing

/// `crm import`, `log --personal`, `erase` and `keys rotate` on a real data directory, with the
/// master key outside it as in production.
@Suite(.enabled(if: CLI.binary != nil, "the crm binary is not built next to the tests"))
struct PersonalDataCLITests {
    static let email = "amelie.andersson@mailbox.example"

    /// The first 400 commands of the fixtures sample: 30 registrations, contacts, interactions.
    func sampleHead(into directory: String) throws -> String {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/sample-commands.ndjson")
        let text = try String(contentsOf: fixtures, encoding: .utf8)
        let head = text.split(separator: "\n", omittingEmptySubsequences: true).prefix(400).joined(separator: "\n") + "\n"
        let path = directory + "/head.ndjson"
        try head.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func contains(_ path: String, _ text: String) -> Bool {
        FileManager.default.contents(atPath: path)?.range(of: Data(text.utf8)) != nil
    }

    @Test("import seals, log shows sealed/open/pseudonymised, erase keeps verify passing, rotation keeps data readable")
    func lifecycle() async throws {
        try await withTemporaryDirectory { root in
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let data = root + "/data", key = root + "/secrets/master.key"
            let commands = try sampleHead(into: root)
            let imported = try CLI.run(["import", commands, "--data", data, "--master-key", key])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(FileManager.default.fileExists(atPath: key))
            #expect(!contains(data + "/log/data.mdb", Self.email))

            let sealed = try CLI.run(["log", "--data", data, "--stream", "customer-C000014"])
            #expect(sealed.status == 0)
            #expect(!sealed.stdout.contains(Self.email))
            #expect(sealed.stdout.contains("(sealed)"))
            let open = try CLI.run(["log", "--data", data, "--stream", "customer-C000014", "--personal", "open", "--master-key", key])
            #expect(open.status == 0, "\(open.stderr)")
            #expect(open.stdout.contains(Self.email))
            let pseudonymised = try CLI.run(["log", "--data", data, "--stream", "customer-C000014", "--personal", "pseudonymised", "--master-key", key])
            #expect(!pseudonymised.stdout.contains(Self.email))
            #expect(pseudonymised.stdout.contains("anon-"))

            let missing = try CLI.run(["log", "--data", data, "--personal", "open", "--master-key", root + "/secrets/other.key"])
            #expect(missing.status == 2)
            CLI.expectOneLineError(missing, containing: "does not exist")

            let noReason = try CLI.run(["erase", "--data", data, "--master-key", key, "--subject", "C000014", "--reason", " "])
            #expect(noReason.status != 0)
            let erased = try CLI.run(["erase", "--data", data, "--master-key", key, "--subject", "C000014", "--reason", "GDPR art. 17 request"])
            #expect(erased.status == 0, "\(erased.stderr)")
            #expect(erased.stdout.contains("erased customer:C000014"))
            let again = try CLI.run(["erase", "--data", data, "--master-key", key, "--subject", "C000014", "--reason", "again"])
            #expect(again.status == 2)

            let afterErasure = try CLI.run(["log", "--data", data, "--stream", "customer-C000014", "--personal", "open", "--master-key", key])
            #expect(!afterErasure.stdout.contains(Self.email))
            #expect(afterErasure.stdout.contains("\"erased\""))
            #expect(afterErasure.stdout.contains("SubjectErased"))
            let verify = try CLI.run(["verify", "--data", data])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")

            let rotated = try CLI.run(["keys", "rotate", "--data", data, "--master-key", key])
            #expect(rotated.status == 0, "\(rotated.stderr)")
            #expect(rotated.stdout.contains("re-wrapped"))
            let afterRotation = try CLI.run(["log", "--data", data, "--personal", "open", "--master-key", key])
            #expect(afterRotation.stdout.contains("elif.fischer@yilmaz-einzelhandel.example"))
            #expect(!afterRotation.stdout.contains(Self.email))
        }
    }
}
