import ArgumentParser
import Foundation

/// `--data DIR`, or `CRM_DATA`: the event store's data directory.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The event store's data directory (default: $CRM_DATA).", valueName: "dir"))
    var data: String?

    func validate() throws {
        _ = try directory()
    }

    /// The directory from the flag, else from the environment.
    func directory() throws -> String {
        if let data, !data.isEmpty { return data }
        if let value = ProcessInfo.processInfo.environment["CRM_DATA"], !value.isEmpty { return value }
        throw ValidationError("Missing data directory: pass --data <dir> or set CRM_DATA.")
    }
}

/// `--checkpoint-key FILE`, or `CRM_CHECKPOINT_KEY`: the HMAC key that signs checkpoints.
struct CheckpointKeyOptions: ParsableArguments {
    @Option(name: .customLong("checkpoint-key"),
            help: ArgumentHelp("The checkpoint key file, 64 hex digits (default: $CRM_CHECKPOINT_KEY, else <dir>/checkpoint.key).",
                               valueName: "file"))
    var checkpointKey: String?

    /// Where the key is, and whether that is the default inside the data directory.
    func location(dataDirectory: String) -> (path: String, isDefault: Bool) {
        if let checkpointKey, !checkpointKey.isEmpty { return (checkpointKey, false) }
        if let value = ProcessInfo.processInfo.environment["CRM_CHECKPOINT_KEY"], !value.isEmpty { return (value, false) }
        return (dataDirectory + "/checkpoint.key", true)
    }
}
