import Foundation

extension HMACKey {
    /// Reads a key file (64 hex characters, optional trailing newline). With `createIfMissing`, a
    /// missing file (and its directory) is created with a fresh random key, readable by its owner only.
    ///
    /// - Throws: `EventStoreError.storage` with the path and the reason (unreadable, not hex, too short).
    public static func load(file path: String, createIfMissing: Bool) throws(EventStoreError) -> HMACKey {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard createIfMissing else { throw .storage("checkpoint key file \(path) does not exist") }
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty { try? fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            let key = secureRandomBytes(32)
            let created = fm.createFile(atPath: path, contents: Data((Hex.encode(key) + "\n").utf8), attributes: [.posixPermissions: 0o600])
            guard created else { throw .storage("cannot create checkpoint key file \(path)") }
        }
        guard let data = fm.contents(atPath: path) else { throw .storage("cannot read checkpoint key file \(path)") }
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace
        guard let bytes = Hex.decode(text) else { throw .storage("checkpoint key file \(path) does not hold hex digits") }
        do { return try HMACKey(bytes: bytes) } catch { throw .storage("checkpoint key file \(path): \(error)") }
    }
}
