import ArgumentParser
import EventStore
import Foundation
import Server

/// `--token-store DIR`, or `CRM_TOKEN_STORE`: where the API's bearer tokens live (default
/// `<data>/tokens`).
struct TokenStoreOptions: ParsableArguments {
    @Option(name: .customLong("token-store"),
            help: ArgumentHelp("The token store's directory (default: $CRM_TOKEN_STORE, else <dir>/tokens).", valueName: "dir"))
    var tokenStore: String?

    /// The configured directory, or nil for the default inside the data directory.
    var explicitLocation: String? {
        if let tokenStore, !tokenStore.isEmpty { return tokenStore }
        if let value = ProcessInfo.processInfo.environment["CRM_TOKEN_STORE"], !value.isEmpty { return value }
        return nil
    }

    /// Opens the store, reporting a failure as the command's one-line error.
    static func open(_ directory: String, command: String) throws -> TokenStore {
        do {
            return try TokenStore(directory: directory)
        } catch {
            throw CommandFailure.exit(command, error.description)
        }
    }
}
