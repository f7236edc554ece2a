import EventStore
import Foundation

extension UUID {
    /// A stable id derived from a command id and the index of an event it produced, so that
    /// re-importing a command file yields the same event ids and the log recognises the retry.
    public static func derived(from commandId: UUID, index: Int) -> UUID {
        var digest = digestBytes(commandId, index)
        digest[6] = (digest[6] & 0x0f) | 0x50  // version 5 (name-based)
        digest[8] = (digest[8] & 0x3f) | 0x80  // RFC 4122 variant
        return UUID(uuid: (digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                           digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
    }

    /// Like `derived(from:index:)`, but time-ordered (UUIDv7 with `time` as its timestamp): imports
    /// run in business-time order, so their event ids land at the right edge of the event-id index
    /// instead of on a random page each.
    public static func derived(from commandId: UUID, index: Int, at time: Date) -> UUID {
        derivedSequence(from: commandId, at: time, count: index + 1)[index]
    }

    /// The first `count` time-ordered ids derived from a command, from one SHA-256 (the index is
    /// mixed into the random bits, so the ids of one command differ from each other).
    public static func derivedSequence(from commandId: UUID, at time: Date, count: Int) -> [UUID] {
        let digest = digestBytes(commandId, 0)
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(digest[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(digest[i]) }
        let milliseconds = UInt64(max(0, (time.timeIntervalSince1970 * 1000).rounded()))
        return (0..<count).map { index in
            timeOrdered(milliseconds: milliseconds, high: high, low: low ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        }
    }

    private static func digestBytes(_ commandId: UUID, _ index: Int) -> [UInt8] {
        var bytes = withUnsafeBytes(of: commandId.uuid) { Array($0) }
        withUnsafeBytes(of: UInt32(index).bigEndian) { bytes.append(contentsOf: $0) }
        return bytes.withUnsafeBytes { SHA256Digest.hash($0) }.bytes
    }
}
