import EventStore
import Foundation

extension UUID {
    /// A stable id derived from a command id and the index of an event it produced, so that
    /// re-importing a command file yields the same event ids and the log recognises the retry.
    public static func derived(from commandId: UUID, index: Int) -> UUID {
        var bytes = withUnsafeBytes(of: commandId.uuid) { Array($0) }
        withUnsafeBytes(of: UInt32(index).bigEndian) { bytes.append(contentsOf: $0) }
        var digest = bytes.withUnsafeBytes { SHA256Digest.hash($0) }.bytes
        digest[6] = (digest[6] & 0x0f) | 0x50  // version 5 (name-based)
        digest[8] = (digest[8] & 0x3f) | 0x80  // RFC 4122 variant
        return UUID(uuid: (digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                           digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
    }
}
