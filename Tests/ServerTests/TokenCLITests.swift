import EventStore
import Foundation
import Testing

@testable import Server

/// `crm token create|list|revoke`, run as the built binary.
@Suite(.enabled(if: CLI.binary != nil, "the crm binary is not built next to the tests"))
struct TokenCLITests {
    @Test func createListRevoke() async throws {
        try await withTemporaryDirectory { directory in
            // On a fresh directory the event store is created first, so `crm serve` accepts it later.
            let created = try CLI.run(["token", "create", "--data", directory, "--user", "ana", "--role", "admin", "--expires", "30d"])
            #expect(created.status == 0, "stderr: \(created.stderr)")
            let bearer = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(bearer.hasPrefix("crm_") && bearer.count == 4 + 16 + 1 + 64 && !bearer.contains("\n"))
            #expect(created.stderr.contains("shown only now"))
            #expect(FileManager.default.fileExists(atPath: directory + "/log/data.mdb"))
            let id = String(bearer.split(separator: "_")[1])

            let integrator = try CLI.run(["token", "create", "--user", "etl", "--role", "integrator", "--scope", "log.read",
                                          "--scope", "stats.read"], environment: ["CRM_DATA": directory])
            #expect(integrator.status == 0, "stderr: \(integrator.stderr)")

            let list = try CLI.run(["token", "list", "--data", directory])
            #expect(list.status == 0)
            #expect(list.stdout.contains(id) && list.stdout.contains("ana\tadmin"))
            #expect(list.stdout.contains("etl\tintegrator\tlog.read,stats.read"))
            #expect(!list.stdout.contains(String(bearer.split(separator: "_")[2])))

            let revoke = try CLI.run(["token", "revoke", "--data", directory, id])
            #expect(revoke.status == 0)
            #expect(revoke.stdout.contains("revoked token \(id) (ana, admin)"))
            let json = try CLI.run(["token", "list", "--data", directory, "--json"])
            let states = try json.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(states.count == 2)
            #expect(states.first { $0["id"] as? String == id }?["state"] as? String == "revoked")

            // The store the CLI wrote is the one the server reads.
            let tokens = try TokenStore(directory: directory + "/tokens")
            #expect(throws: TokenStoreError.revoked(id: id)) { try tokens.verify(bearer) }
            let integratorBearer = integrator.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try tokens.verify(integratorBearer).permissions == [.logRead, .statsRead])
        }
    }

    /// A server keeps the token records it verified; `crm token revoke` in another process still
    /// applies to the next verification (the environment's commit makes them stale).
    @Test func aRevocationByAnotherProcessAppliesToTheNextVerification() async throws {
        try await withTemporaryDirectory { directory in
            let tokens = try TokenStore(directory: directory + "/tokens")
            let issued = try tokens.create(user: "ana", role: .admin)
            #expect(try tokens.verify(issued.bearer).user == "ana")
            #expect(try tokens.verify(issued.bearer).user == "ana")
            #expect(tokens.verified.count == 1)
            let revoke = try CLI.run(["token", "revoke", "--token-store", directory + "/tokens", issued.record.id])
            #expect(revoke.status == 0, "stderr: \(revoke.stderr)")
            #expect(throws: TokenStoreError.revoked(id: issued.record.id)) { try tokens.verify(issued.bearer) }
        }
    }

    @Test func refusals() async throws {
        try await withTemporaryDirectory { directory in
            let badRole = try CLI.run(["token", "create", "--data", directory, "--user", "ana", "--role", "root"])
            #expect(badRole.status == 64)
            #expect(badRole.stderr.contains("--role must be one of"))
            let badScope = try CLI.run(["token", "create", "--data", directory, "--user", "svc", "--role", "integrator", "--scope", "all"])
            #expect(badScope.status == 64)
            let noScope = try CLI.run(["token", "create", "--data", directory, "--user", "svc", "--role", "integrator"])
            #expect(noScope.status == 64)
            CLI.expectOneLineError(noScope, containing: "at least one scope")
            let badExpiry = try CLI.run(["token", "create", "--data", directory, "--user", "ana", "--role", "admin", "--expires", "soon"])
            #expect(badExpiry.status == 64)
            CLI.expectOneLineError(badExpiry, containing: "--expires")
            let unknown = try CLI.run(["token", "revoke", "--data", directory, "0123456789abcdef"])
            #expect(unknown.status == 2)
            CLI.expectOneLineError(unknown, containing: "no token with id")
            let noData = try CLI.run(["token", "list"])
            #expect(noData.status != 0)
            #expect(noData.stderr.contains("--data"))
        }
    }

    @Test func aSeparateTokenStore() async throws {
        try await withTemporaryDirectory { directory in
            let created = try CLI.run(["token", "create", "--user", "ana", "--role", "auditor"],
                                      environment: ["CRM_TOKEN_STORE": directory + "/elsewhere"])
            #expect(created.status == 0, "stderr: \(created.stderr)")
            #expect(FileManager.default.fileExists(atPath: directory + "/elsewhere/data.mdb"))
            let list = try CLI.run(["token", "list", "--token-store", directory + "/elsewhere"])
            #expect(list.stdout.contains("ana\tauditor"))
        }
    }
}
