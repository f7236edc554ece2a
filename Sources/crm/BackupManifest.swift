import EventStore
import Foundation

/// What a backup file holds, written as JSON at its start and beside it (`FILE.json`): enough to
/// know, without restoring, which log it is (head and last signed checkpoint) and to check every
/// byte of it (each environment's size and SHA-256).
struct BackupManifest: Codable, Equatable {
    /// The chain's end in the backed-up log.
    struct Head: Codable, Equatable {
        var position: UInt64
        var hash: String
        var recordedAt: String?
    }

    /// The last signed checkpoint stored in the backed-up log.
    struct Checkpoint: Codable, Equatable {
        var position: UInt64
        var hash: String
        var signedAt: String
    }

    /// One LMDB environment's compacted `data.mdb`, stored back to back after the manifest in
    /// this order.
    struct Environment: Codable, Equatable {
        /// Its directory name in the data directory: `log`, `keys` or `tokens`.
        var name: String
        var bytes: UInt64
        var sha256: String
        /// Size of the live `data.mdb` it was copied from (the copy leaves out free pages).
        var liveFileBytes: UInt64
        /// Map size recorded in the environment.
        var mapBytes: UInt64
    }

    static let currentFormat = "crm-backup/1"
    /// The environments a backup holds, in the order they are copied: the log first, so that
    /// the subject keys copied after it hold every key its events need (a key erased in between
    /// is missing, as it should be), then the API's tokens.
    static let environmentNames = ["log", "keys", "tokens"]

    var format: String = Self.currentFormat
    var createdAt: String
    var source: String
    var host: String
    var head: Head
    var lastCheckpoint: Checkpoint?
    var environments: [Environment]

    /// Compact JSON with sorted keys (what the file holds and its digest covers).
    func encoded(pretty: Bool = false) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(self))
    }
}
