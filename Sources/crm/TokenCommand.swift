import ArgumentParser
import EventStore
import Foundation
import Logging
import Server

/// `crm token create|list|revoke`: the API's bearer tokens.
///
/// The token store is its own LMDB environment, so these work while `crm serve` runs; a
/// revocation takes effect on the server's next request.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the HTTP API's bearer tokens.",
        discussion: """
            Roles: admin (everything), auditor (every read, including the audit trail; no writes), \
            manager and agent (customers.read, streams.append), integrator (the --scope permissions \
            given at creation). Permissions: \(Permission.allCases.map(\.rawValue).joined(separator: ", ")).
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// Where the token store is: `--token-store` / `CRM_TOKEN_STORE`, else `<data>/tokens`.
    struct Location: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The event store's data directory (default: $CRM_DATA).", valueName: "dir"))
        var data: String?

        @OptionGroup var tokenOptions: TokenStoreOptions

        func validate() throws {
            if tokenOptions.explicitLocation == nil, dataDirectory == nil {
                throw ValidationError("Missing data directory: pass --data <dir> (or set CRM_DATA), or --token-store <dir>.")
            }
        }

        var dataDirectory: String? {
            if let data, !data.isEmpty { return data }
            if let value = ProcessInfo.processInfo.environment["CRM_DATA"], !value.isEmpty { return value }
            return nil
        }

        /// Opens the token store. In its default place beside the log, the event store is created
        /// first when missing, so the data directory stays one the event store accepts.
        func open(command: String) throws -> TokenStore {
            if let explicit = tokenOptions.explicitLocation { return try TokenStoreOptions.open(explicit, command: command) }
            guard let directory = dataDirectory else { throw ValidationError("Missing data directory.") }
            if !FileManager.default.fileExists(atPath: directory + "/log/data.mdb") {
                do {
                    let store = try EventStore(directory: directory, configuration: .init(
                        createIfMissing: true, logger: Logger(label: "crm.eventstore")))
                    store.close()
                } catch {
                    throw CommandFailure.exit(command, error.description)
                }
            }
            return try TokenStoreOptions.open(directory + "/tokens", command: command)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a token and print it once on standard output (only its salted hash is stored)."
        )

        @OptionGroup var location: Location

        @Option(help: ArgumentHelp("Who the token acts for; recorded as the actor of every event it causes.", valueName: "name"))
        var user: String

        @Option(help: ArgumentHelp("admin, manager, agent, auditor or integrator.", valueName: "role"))
        var role: String

        @Option(name: .customLong("scope"), help: ArgumentHelp("A permission of an integrator token (repeatable).", valueName: "permission"))
        var scopes: [String] = []

        @Option(help: ArgumentHelp("A lifetime (30d, 12h, 45m) or an ISO-8601 time; default: no expiry.", valueName: "when"))
        var expires: String?

        func validate() throws {
            _ = try parsedRole()
            _ = try parsedScopes()
        }

        func run() async throws {
            let tokens = try location.open(command: "token create")
            var expiresAt: Int64?
            if let expires {
                guard let value = TokenExpiry.milliseconds(from: expires, now: TokenStore.wallClock()) else {
                    throw CommandFailure.exit("token create", "--expires must be a lifetime such as 30d, 12h or 45m, or an ISO-8601 time, not '\(expires)'",
                                              code: ExitCode.validationFailure.rawValue)
                }
                expiresAt = value
            }
            let role = try parsedRole()
            let scopes = try parsedScopes()
            let issued: IssuedToken
            do {
                issued = try tokens.create(user: user, role: role, scopes: scopes, expiresAt: expiresAt)
            } catch {
                throw CommandFailure.exit("token create", error.description, code: ExitCode.validationFailure.rawValue)
            }
            print(issued.bearer)
            let expiry = issued.record.expiresAt.map { "expires \(RecordedEvent.iso8601(milliseconds: $0))" } ?? "does not expire"
            printError("crm token create: token \(issued.record.id) for \(user) (\(issued.record.role.rawValue)) \(expiry); it is shown only now")
        }

        private func parsedRole() throws -> Role {
            guard let value = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), not '\(role)'.")
            }
            return value
        }

        private func parsedScopes() throws -> Set<Permission> {
            Set(try scopes.map { text in
                guard let value = Permission(rawValue: text) else {
                    throw ValidationError("--scope must be one of \(Permission.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'.")
                }
                return value
            })
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tokens (never their secrets).")

        @OptionGroup var location: Location

        @Flag(help: "Print one JSON object per token.")
        var json = false

        func run() async throws {
            let tokens = try location.open(command: "token list")
            let records: [TokenRecord]
            do { records = try tokens.list() } catch { throw CommandFailure.exit("token list", error.description) }
            let now = TokenStore.wallClock()
            if json {
                for record in records { print(Self.json(record, now: now)) }
                return
            }
            print(["id", "user", "role", "scopes", "created", "expires", "state"].joined(separator: "\t"))
            for record in records {
                print([
                    record.id, record.user, record.role.rawValue,
                    record.scopes.isEmpty ? "-" : record.scopes.map(\.rawValue).joined(separator: ","),
                    RecordedEvent.iso8601(milliseconds: record.createdAt),
                    record.expiresAt.map(RecordedEvent.iso8601(milliseconds:)) ?? "never",
                    Self.state(record, now: now) + (record.demo ? " (demo)" : ""),
                ].joined(separator: "\t"))
            }
        }

        static func state(_ record: TokenRecord, now: Int64) -> String {
            record.revokedAt != nil ? "revoked" : record.isExpired(at: now) ? "expired" : "active"
        }

        static func json(_ record: TokenRecord, now: Int64) -> String {
            var object: [String: Any] = [
                "id": record.id, "user": record.user, "role": record.role.rawValue, "scopes": record.scopes.map(\.rawValue),
                "createdAt": RecordedEvent.iso8601(milliseconds: record.createdAt), "state": state(record, now: now), "demo": record.demo,
            ]
            object["expiresAt"] = record.expiresAt.map(RecordedEvent.iso8601(milliseconds:)) ?? NSNull()
            object["revokedAt"] = record.revokedAt.map(RecordedEvent.iso8601(milliseconds:)) ?? NSNull()
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token for good.")

        @OptionGroup var location: Location

        @Argument(help: ArgumentHelp("The token's id (from `crm token list`, or the middle part of crm_<id>_<secret>).", valueName: "id"))
        var id: String

        func run() async throws {
            let tokens = try location.open(command: "token revoke")
            do {
                let record = try tokens.revoke(id: id)
                print("revoked token \(record.id) (\(record.user), \(record.role.rawValue))")
            } catch {
                throw CommandFailure.exit("token revoke", error.description)
            }
        }
    }
}
