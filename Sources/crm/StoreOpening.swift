import ArgumentParser
import EventStore
import Logging

/// Opening the store for a command, with failures reported as one line.
enum StoreOpening {
    /// Opens an existing store (never creates one) for `verify`, `log` and `stats`.
    static func openExisting(_ directory: String, checkpointKey: HMACKey? = nil, command: String) throws -> EventStore {
        do {
            return try EventStore(directory: directory, configuration: .init(
                createIfMissing: false, checkpointKey: checkpointKey, logger: Logger(label: "crm.eventstore")))
        } catch {
            throw CommandFailure.exit(command, error.description)
        }
    }

    /// Loads a key file; a missing file is an error unless `create` is set.
    static func loadKey(_ path: String, create: Bool, command: String) throws -> HMACKey {
        do {
            return try HMACKey.load(file: path, createIfMissing: create)
        } catch {
            throw CommandFailure.exit(command, error.description)
        }
    }
}
