import Foundation

/// The key that wraps every data key. It lives in a file named by configuration (`--master-key`,
/// `CRM_MASTER_KEY`), never in the log, the keys environment, backups or log lines.
///
/// Its `id` (the first 8 bytes of SHA-256 of the key, hex) is stored beside the wrapped keys, so a
/// wrong key file is recognised at start-up, and a rotation names both keys.
public struct MasterKey: Sendable {
    let cipher: AEADKey
    /// A fingerprint that identifies the key without revealing it.
    public let id: String

    /// Wraps 32 key bytes.
    public init(bytes: [UInt8]) throws(CryptoError) {
        cipher = try AEADKey(bytes: bytes)
        id = Hex.encode(Array(bytes.withUnsafeBytes { SHA256Digest.hash($0) }.bytes.prefix(8)))
    }

    /// A fresh random key.
    public static func generate() -> (key: MasterKey, bytes: [UInt8]) {
        let bytes = secureRandomBytes(AEADKey.byteCount)
        return (try! MasterKey(bytes: bytes), bytes)
    }

    /// Encrypts a data key for storage, bound to its subject.
    func wrap(_ key: DataKey, subject: String) -> [UInt8] {
        cipher.seal(key.bytes, associatedData: Array(subject.utf8))
    }

    /// The data key stored for `subject`; throws if the key or the subject differ.
    func unwrap(_ wrapped: [UInt8], subject: String, slot: UInt64? = nil) throws(CryptoError) -> DataKey {
        let bytes = try cipher.open(wrapped, associatedData: Array(subject.utf8))
        return try DataKey(bytes: bytes, slot: slot)
    }

    /// Reads a key file (64 hex characters).
    public static func load(file path: String) throws(KeyRingError) -> MasterKey {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingMasterKey(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableMasterKey(path: path, reason: "cannot read the file")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace
        guard let bytes = Hex.decode(text), bytes.count == AEADKey.byteCount else {
            throw .unreadableMasterKey(path: path, reason: "expected 64 hex digits")
        }
        return try! MasterKey(bytes: bytes)
    }

    /// Writes a new random key to `path` (mode 0600, synced) and returns it; refuses to overwrite.
    public static func create(file path: String) throws(KeyRingError) -> MasterKey {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: path) else { throw .masterKeyExists(path: path) }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try? fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        let (key, bytes) = generate()
        do {
            try DurableFile.write(Array((Hex.encode(bytes) + "\n").utf8), to: path, mode: 0o600)
        } catch {
            throw .unreadableMasterKey(path: path, reason: "cannot create it: \(error)")
        }
        return key
    }
}
