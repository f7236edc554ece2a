import EventStore
import Foundation

/// The backup file: one self-describing file that `crm restore` can check completely before it
/// writes anything it keeps.
///
/// ```
/// offset  size  field
///      0     8  magic "CRMBKUP\n"
///      8     4  manifest length N, u32 big-endian
///     12     N  manifest (BackupManifest, JSON, UTF-8, sorted keys)
///   12+N    32  SHA-256 of the manifest bytes
///   44+N     …  each environment's compacted data.mdb, back to back, in manifest order
/// ```
///
/// Every byte is covered: the magic and the length by parsing, the manifest by its digest, each
/// environment by the SHA-256 and size in the manifest, and the file's length must be exactly the
/// sum, so a truncated or extended file is refused too.
enum BackupFile {
    static let magic = Array("CRMBKUP\n".utf8)
    static let maximumManifestBytes = 1 << 20

    /// Why a backup file is refused.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// The header bytes: magic, length, manifest, digest.
    static func header(for manifest: BackupManifest) throws -> [UInt8] {
        let json = try manifest.encoded()
        var out = magic
        out += withUnsafeBytes(of: UInt32(json.count).bigEndian, Array.init)
        out += json
        out += json.withUnsafeBytes { SHA256Digest.hash($0) }.bytes
        return out
    }

    /// A parsed, checked header of an open file.
    struct Opened {
        let manifest: BackupManifest
        /// Where the first environment starts.
        let dataOffset: UInt64
    }

    /// Reads and checks the header of `handle` (positioned at 0): magic, manifest digest and
    /// format, environment names, and that the file is exactly as long as the manifest says.
    /// Leaves the handle at the first environment.
    static func open(_ handle: FileHandle, fileBytes: UInt64) throws -> Opened {
        func read(_ count: Int, _ what: String) throws -> [UInt8] {
            let data = try handle.read(upToCount: count) ?? Data()
            guard data.count == count else { throw Invalid(description: "the file ends inside its \(what)") }
            return [UInt8](data)
        }
        guard try read(magic.count, "magic number") == magic else {
            throw Invalid(description: "not a crm backup file (wrong magic number)")
        }
        let lengthBytes = try read(4, "header")
        let length = lengthBytes.reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= maximumManifestBytes else {
            throw Invalid(description: "the manifest length \(length) is implausible: the header is damaged")
        }
        let json = try read(length, "manifest")
        let digest = try read(SHA256Digest.byteCount, "manifest digest")
        guard SHA256Digest(bytes: digest) == json.withUnsafeBytes({ SHA256Digest.hash($0) }) else {
            throw Invalid(description: "the manifest does not match its SHA-256: the header is damaged")
        }
        let manifest: BackupManifest
        do { manifest = try JSONDecoder().decode(BackupManifest.self, from: Data(json)) } catch {
            throw Invalid(description: "the manifest cannot be read: \(error)")
        }
        guard manifest.format == BackupManifest.currentFormat else {
            throw Invalid(description: "backup format '\(manifest.format)' is not supported (this crm reads \(BackupManifest.currentFormat))")
        }
        let names = manifest.environments.map(\.name)
        guard names.first == "log", Set(names).count == names.count,
              names.allSatisfy(BackupManifest.environmentNames.contains) else {
            throw Invalid(description: "the manifest lists environments \(names); expected log first, then any of keys, tokens")
        }
        let dataOffset = UInt64(magic.count + 4 + length + SHA256Digest.byteCount)
        let expected = manifest.environments.reduce(dataOffset) { $0 + $1.bytes }
        guard expected == fileBytes else {
            throw Invalid(description: "the file is \(fileBytes) bytes but its manifest describes \(expected): it was truncated or extended")
        }
        return Opened(manifest: manifest, dataOffset: dataOffset)
    }
}
