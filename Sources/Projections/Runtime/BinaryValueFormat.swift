/// The byte format of read-model values (`BinaryValueEncoder` / `BinaryValueDecoder`): a tagged
/// value tree, one tag byte per value.
///
/// ```
/// value  := nil | false | true | int | uint | double | string | array | object
/// nil    := 0x00            false := 0x01            true := 0x02
/// int    := 0x03 varint(zigzag(Int64))              uint := 0x04 varint(UInt64)
/// double := 0x05 8 bytes (IEEE 754 bits, big-endian)
/// string := 0x06 varint(byte count) UTF-8 bytes
/// array  := 0x07 varint(count) value*
/// object := 0x08 varint(count) (varint(key byte count) key UTF-8 bytes, value)*
/// ```
///
/// Determinism (equal values are equal bytes, so rebuild checksums compare): object entries are
/// written sorted by key bytes whatever order `encode(to:)` used (a `Dictionary` iterates in a
/// different order in every process), and the elements of a `Set` and the key/value pairs of a
/// dictionary with neither `String` nor `Int` keys (encoded by the standard library as an array)
/// are sorted by their encoded bytes. `Date` is milliseconds since 1970: an `int` when whole,
/// else a `double`, matching the JSON it replaces. The tags are all below 0x09, so no value
/// starts like JSON does, which lets the decoder still read values stored as JSON earlier.
enum BinaryValueTag {
    static let null: UInt8 = 0x00
    static let `false`: UInt8 = 0x01
    static let `true`: UInt8 = 0x02
    static let int: UInt8 = 0x03
    static let uint: UInt8 = 0x04
    static let double: UInt8 = 0x05
    static let string: UInt8 = 0x06
    static let array: UInt8 = 0x07
    static let object: UInt8 = 0x08

    /// Deepest nesting the decoder walks before calling the bytes corrupt (bounds the recursion
    /// that garbage input could otherwise drive).
    static let maximumDepth = 512
}

extension Array where Element == UInt8 {
    /// Appends `value` as LEB128: 7 bits per byte, low bits first, high bit set on all but the last.
    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    mutating func appendSigned(_ value: Int64) {
        append(BinaryValueTag.int)
        appendVarint(UInt64(bitPattern: value << 1) ^ UInt64(bitPattern: value >> 63))
    }

    @inline(__always)
    mutating func appendUnsigned(_ value: UInt64) {
        append(BinaryValueTag.uint)
        appendVarint(value)
    }

    @inline(__always)
    mutating func appendDouble(_ value: Double) {
        append(BinaryValueTag.double)
        let bits = value.bitPattern
        var shift: UInt64 = 56
        while true {
            append(UInt8(truncatingIfNeeded: bits >> shift))
            if shift == 0 { break }
            shift -= 8
        }
    }

    @inline(__always)
    mutating func appendBool(_ value: Bool) {
        append(value ? BinaryValueTag.true : BinaryValueTag.false)
    }

    @inline(__always)
    mutating func appendString(_ value: String) {
        append(BinaryValueTag.string)
        appendUTF8(value)
    }

    /// The UTF-8 bytes of `value` preceded by their count (a string without its tag; also an
    /// object key).
    @inline(__always)
    mutating func appendUTF8(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            append(contentsOf: utf8)
        }
    }
}

/// Reading primitives out of a byte buffer, every access bounds-checked: corrupt input throws,
/// it never traps. Offsets are indices into the buffer.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func byte(at offset: Int) throws(BinaryValueCorruption) -> UInt8 {
        guard offset >= 0, offset < count else { throw BinaryValueCorruption(offset: offset, reason: "value ends early") }
        return self[offset]
    }

    /// A LEB128 number at `offset` and the offset after it.
    @inline(__always)
    func varint(at offset: Int) throws(BinaryValueCorruption) -> (UInt64, Int) {
        var offset = offset
        var first = try byte(at: offset)
        offset += 1
        if first < 0x80 { return (UInt64(first), offset) }
        var result = UInt64(first & 0x7F)
        var shift: UInt64 = 7
        while true {
            first = try byte(at: offset)
            offset += 1
            if shift == 63, first > 1 { throw BinaryValueCorruption(offset: offset - 1, reason: "varint overflows 64 bits") }
            result |= UInt64(first & 0x7F) << shift
            if first < 0x80 { return (result, offset) }
            shift += 7
            if shift > 63 { throw BinaryValueCorruption(offset: offset, reason: "varint longer than 10 bytes") }
        }
    }

    /// A count or length at `offset` that cannot exceed the bytes left (each counted item takes
    /// at least `itemSize` bytes), so corrupt counts fail here rather than in an allocation.
    @inline(__always)
    func length(at offset: Int, itemSize: Int = 1) throws(BinaryValueCorruption) -> (Int, Int) {
        let (value, next) = try varint(at: offset)
        guard value <= UInt64(Swift.max(0, count - next) / itemSize) else {
            throw BinaryValueCorruption(offset: offset, reason: "length \(value) exceeds the value")
        }
        return (Int(value), next)
    }

    /// The 8 bytes at `offset` as a big-endian `UInt64`.
    @inline(__always)
    func bigEndian64(at offset: Int) throws(BinaryValueCorruption) -> UInt64 {
        guard offset >= 0, offset <= count - 8 else { throw BinaryValueCorruption(offset: offset, reason: "double ends early") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits = bits << 8 | UInt64(self[offset + i]) }
        return bits
    }

    /// The offset just after the value starting at `offset`.
    func skipValue(at offset: Int, depth: Int = 0) throws(BinaryValueCorruption) -> Int {
        guard depth < BinaryValueTag.maximumDepth else { throw BinaryValueCorruption(offset: offset, reason: "nested too deeply") }
        let tag = try byte(at: offset)
        switch tag {
        case BinaryValueTag.null, BinaryValueTag.false, BinaryValueTag.true:
            return offset + 1
        case BinaryValueTag.int, BinaryValueTag.uint:
            return try varint(at: offset + 1).1
        case BinaryValueTag.double:
            guard offset + 9 <= count else { throw BinaryValueCorruption(offset: offset, reason: "double ends early") }
            return offset + 9
        case BinaryValueTag.string:
            let (length, start) = try length(at: offset + 1)
            return start + length
        case BinaryValueTag.array:
            var (items, next) = try length(at: offset + 1)
            while items > 0 {
                next = try skipValue(at: next, depth: depth + 1)
                items -= 1
            }
            return next
        case BinaryValueTag.object:
            var (entries, next) = try length(at: offset + 1, itemSize: 2)
            while entries > 0 {
                let (keyLength, keyStart) = try length(at: next)
                next = try skipValue(at: keyStart + keyLength, depth: depth + 1)
                entries -= 1
            }
            return next
        default:
            throw BinaryValueCorruption(offset: offset, reason: "unknown tag \(tag)")
        }
    }
}

/// Bytes that are not a well-formed value; turned into `DecodingError.dataCorrupted` with the
/// coding path where it was met.
struct BinaryValueCorruption: Error {
    let offset: Int
    let reason: String
}

extension Int64 {
    /// The signed integer of an `int` value's varint (zigzag, the inverse of `appendSigned`).
    @inline(__always)
    init(zigzag raw: UInt64) {
        self.init(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }
}
