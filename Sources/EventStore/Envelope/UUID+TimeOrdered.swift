import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids made close in
    /// time sort close together, so the event-id index grows at its right edge instead of dirtying
    /// a random leaf page per event (see BENCHMARKS.md).
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        return timeOrdered(milliseconds: milliseconds, high: generator.next(), low: generator.next())
    }

    /// The v7 layout with caller-supplied random bits (deterministic generators use this).
    public static func timeOrdered(milliseconds: UInt64, high: UInt64, low: UInt64) -> UUID {
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { bytes in
            for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: milliseconds >> (8 * UInt64(5 - i))) }
            bytes[6] = 0x70 | UInt8(truncatingIfNeeded: high & 0x0f)
            bytes[7] = UInt8(truncatingIfNeeded: high >> 8)
            bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (high >> 16) & 0x3f)
            for i in 9..<16 { bytes[i] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(i - 9))) }
        }
        return UUID(uuid: uuid)
    }
}
