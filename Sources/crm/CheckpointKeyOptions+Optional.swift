import EventStore
import Foundation

extension CheckpointKeyOptions {
    /// The key for commands that check checkpoints but can run without one (`verify`, `doctor`,
    /// `restore`, `compact`): a key named by the flag or the environment must load; the default
    /// `<dir>/checkpoint.key` is used when it exists. Nil means checkpoints are compared with the
    /// chain but cannot be authenticated.
    func optionalKey(dataDirectory: String, command: String) throws -> (key: HMACKey?, path: String) {
        let (path, isDefault) = location(dataDirectory: dataDirectory)
        guard !isDefault || FileManager.default.fileExists(atPath: path) else { return (nil, path) }
        return (try StoreOpening.loadKey(path, create: false, command: command), path)
    }
}
