import Foundation

/// The one encoding of read-model values: the compact binary format of `BinaryValueFormat`,
/// deterministic (equal values are equal bytes, object keys and unordered collections sorted),
/// so a rebuild can be compared by checksum.
///
/// Why binary: with JSON, encoding dirty values at flush was about 30 % of a rebuild and
/// decoding several percent more. Values that are a bare `UInt64`, `Int`, `Int64`, `String` or
/// `Bool` (the audit index stores positions) skip the `Encoder` machinery entirely, and write
/// the very bytes the generic path would, so either path reads what the other wrote.
///
/// Values stored as JSON by earlier versions still decode (no binary value starts like JSON), so
/// an existing read model stays readable until its projector is rebuilt.
enum ReadModelCodec {
    /// Stored in each generation's record; a generation of another format is rebuilt.
    /// 1: JSON (before the binary format); 2: `BinaryValueFormat`.
    static let valueFormat = 2

    /// A reusable encoder (keeps its buffers across values; one per flush, not thread-safe).
    static func encoder() -> BinaryValueEncoder { BinaryValueEncoder() }

    /// A decoder (stateless; each decode works on its own copy of the bytes).
    static func decoder() -> BinaryValueDecoder { BinaryValueDecoder() }

    /// The stored bytes of `value`.
    static func encode<V: Encodable>(_ value: V, encoder: BinaryValueEncoder) throws -> [UInt8] {
        var bytes: [UInt8] = []
        if V.self == UInt64.self {
            bytes.reserveCapacity(11)
            bytes.appendUnsigned(value as! UInt64)
        } else if V.self == Int.self {
            bytes.reserveCapacity(11)
            bytes.appendSigned(Int64(value as! Int))
        } else if V.self == Int64.self {
            bytes.reserveCapacity(11)
            bytes.appendSigned(value as! Int64)
        } else if V.self == String.self {
            bytes.appendString(value as! String)
        } else if V.self == Bool.self {
            bytes.appendBool(value as! Bool)
        } else {
            return try encoder.encode(value)
        }
        return bytes
    }

    /// The value stored in `bytes`. Throws `DecodingError` when they do not hold a `V`.
    static func decode<V: Decodable>(_ type: V.Type, from bytes: UnsafeRawBufferPointer, decoder: BinaryValueDecoder) throws -> V {
        guard let first = bytes.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "empty read-model value"))
        }
        if first > BinaryValueTag.object { return try decodeLegacyJSON(V.self, from: bytes) }
        if V.self == UInt64.self || V.self == Int.self || V.self == Int64.self || V.self == String.self || V.self == Bool.self {
            return try decodeScalar(V.self, from: bytes)
        }
        if V.self == [String: Int64].self, let counters = decodeCounters(bytes) { return counters as! V }
        if let readable = V.self as? any BinaryValueReadable.Type, let value = readable.read(bytes) { return value as! V }
        return try decoder.decode(V.self, from: bytes)
    }

    /// The fast path of counter maps (cube cells, `[String: Int64]`): an object whose values are
    /// all integers, read straight from `bytes`. Nil for anything else (the general decoder then
    /// decides, with its full error reporting). A cube query decodes one per cell it reads, and
    /// the general decoder's container machinery cost microseconds per cell.
    private static func decodeCounters(_ bytes: UnsafeRawBufferPointer) -> [String: Int64]? {
        guard bytes[0] == BinaryValueTag.object, let (count, start) = try? bytes.length(at: 1, itemSize: 3) else { return nil }
        var result: [String: Int64] = [:]
        result.reserveCapacity(count)
        var offset = start
        for _ in 0..<count {
            guard let (length, keyStart) = try? bytes.length(at: offset), keyStart + length < bytes.count else { return nil }
            guard let key = String(validating: UnsafeRawBufferPointer(rebasing: bytes[keyStart..<(keyStart + length)]), as: UTF8.self) else { return nil }
            let tag = bytes[keyStart + length]
            guard let (raw, next) = try? bytes.varint(at: keyStart + length + 1) else { return nil }
            switch tag {
            case BinaryValueTag.int: result[key] = Int64(zigzag: raw)
            case BinaryValueTag.uint:
                guard let value = Int64(exactly: raw) else { return nil }
                result[key] = value
            default: return nil
            }
            offset = next
        }
        return offset == bytes.count && result.count == count ? result : nil
    }

    /// The scalar fast path: reads straight from `bytes`, no decoder state, no copy. Anything
    /// unusual (a number that does not fit, a mismatch, corruption) goes to the general decoder,
    /// which decides with its full error reporting.
    private static func decodeScalar<V: Decodable>(_ type: V.Type, from bytes: UnsafeRawBufferPointer) throws -> V {
        let tag = bytes[0]
        switch tag {
        case BinaryValueTag.int, BinaryValueTag.uint:
            guard let read = try? bytes.varint(at: 1), read.1 == bytes.count else { break }
            let raw = read.0
            if tag == BinaryValueTag.uint {
                if V.self == UInt64.self { return raw as! V }
                if V.self == Int.self, let value = Int(exactly: raw) { return value as! V }
                if V.self == Int64.self, let value = Int64(exactly: raw) { return value as! V }
            } else {
                let signed = Int64(zigzag: raw)
                if V.self == Int64.self { return signed as! V }
                if V.self == Int.self, let value = Int(exactly: signed) { return value as! V }
                if V.self == UInt64.self, let value = UInt64(exactly: signed) { return value as! V }
            }
        case BinaryValueTag.string where V.self == String.self:
            guard let read = try? bytes.length(at: 1), read.1 + read.0 == bytes.count else { break }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[read.1...]), as: UTF8.self) as! V
        case BinaryValueTag.true where V.self == Bool.self && bytes.count == 1:
            return true as! V
        case BinaryValueTag.false where V.self == Bool.self && bytes.count == 1:
            return false as! V
        default:
            break
        }
        return try BinaryValueDecoder().decode(V.self, from: bytes)
    }

    /// Values written before the binary format (JSON, sorted keys, dates as milliseconds).
    private static func decodeLegacyJSON<V: Decodable>(_ type: V.Type, from bytes: UnsafeRawBufferPointer) throws -> V {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(V.self, from: Data(bytes))
    }
}
