import ArgumentParser
import EventStore
import Foundation

/// `--master-key FILE`, or `CRM_MASTER_KEY`: the key that wraps every data subject's data key.
struct MasterKeyOptions: ParsableArguments {
    @Option(name: .customLong("master-key"),
            help: ArgumentHelp("The master key file, 64 hex digits (default: $CRM_MASTER_KEY, else <dir>/master.key). Its erasure list is <file>.erasures.",
                               valueName: "file"))
    var masterKey: String?

    /// The key file's path.
    func location(dataDirectory: String) -> String {
        if let masterKey, !masterKey.isEmpty { return masterKey }
        if let value = ProcessInfo.processInfo.environment["CRM_MASTER_KEY"], !value.isEmpty { return value }
        return dataDirectory + "/master.key"
    }

    /// Opens the keys environment of `directory`; `create` makes a master key for a directory that
    /// has no data keys yet. Every failure is one line naming the file.
    func open(dataDirectory: String, create: Bool, command: String) throws -> SubjectKeyRing {
        do {
            return try SubjectKeyRing(dataDirectory: dataDirectory, masterKeyPath: location(dataDirectory: dataDirectory), createMasterKey: create)
        } catch {
            throw CommandFailure.exit(command, error.description)
        }
    }
}
