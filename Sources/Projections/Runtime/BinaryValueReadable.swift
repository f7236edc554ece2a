/// A read-model value that reads its own bytes back, the counterpart of `BinaryValueWritable`,
/// for values decoded cold often enough for the generic `Decoder` machinery to show (the state
/// cycle reads every customer due on a day from LMDB: about 30 % of a midnight's firing went into
/// decoding `CustomerStateFacts` through it).
///
/// The reader accepts exactly the bytes `writeBinary` writes (keys in its order, optional entries
/// present or absent) and gives nil for anything else, so the generic decoder still decides on
/// every other input, with its full error reporting; a test compares both on random values.
protocol BinaryValueReadable {
    /// The value at the reader's position, the reader moved past it; nil when the bytes there are
    /// not exactly what `writeBinary` writes.
    static func readBinary(_ reader: inout BinaryValueReader) -> Self?
}

extension BinaryValueReadable {
    /// The value that `bytes` hold entirely, or nil.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var reader = BinaryValueReader(bytes)
        guard let value = readBinary(&reader), reader.isAtEnd else { return nil }
        return value
    }
}

/// A cursor over canonical value bytes (`BinaryValueFormat`); every read is bounds-checked and
/// gives nil instead of throwing.
struct BinaryValueReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    private mutating func tag(_ expected: UInt8) -> Bool {
        guard offset < bytes.count, bytes[offset] == expected else { return false }
        offset += 1
        return true
    }

    private mutating func varint() -> UInt64? {
        guard let (value, next) = try? bytes.varint(at: offset) else { return nil }
        offset = next
        return value
    }

    private mutating func utf8() -> String? {
        guard let (length, start) = try? bytes.length(at: offset), start + length <= bytes.count,
              let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self) else { return nil }
        offset = start + length
        return text
    }

    /// An object's entry count.
    mutating func objectHeader() -> Int? {
        guard tag(BinaryValueTag.object), let count = varint(), count <= UInt64(bytes.count) else { return nil }
        return Int(count)
    }

    /// Moves past the entry key `key` when it comes next; false (and no move) otherwise.
    mutating func key(_ key: StaticString) -> Bool {
        let length = key.utf8CodeUnitCount
        guard let (stored, start) = try? bytes.length(at: offset), stored == length, start + length <= bytes.count else { return false }
        let matches = key.withUTF8Buffer { UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]).elementsEqual($0) }
        guard matches else { return false }
        offset = start + length
        return true
    }

    mutating func signed() -> Int64? {
        guard tag(BinaryValueTag.int), let raw = varint() else { return nil }
        return Int64(zigzag: raw)
    }

    mutating func int() -> Int? { signed().flatMap { Int(exactly: $0) } }

    mutating func unsigned() -> UInt64? {
        guard tag(BinaryValueTag.uint) else { return nil }
        return varint()
    }

    mutating func bool() -> Bool? {
        if tag(BinaryValueTag.true) { return true }
        if tag(BinaryValueTag.false) { return false }
        return nil
    }

    mutating func string() -> String? {
        guard tag(BinaryValueTag.string) else { return nil }
        return utf8()
    }

    /// An array whose items `item` reads.
    mutating func array<T>(_ item: (inout BinaryValueReader) -> T?) -> [T]? {
        guard tag(BinaryValueTag.array), let count = varint(), count <= UInt64(bytes.count) else { return nil }
        var items: [T] = []
        items.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let next = item(&self) else { return nil }
            items.append(next)
        }
        return items
    }

    /// The value under `key` when that entry comes next (`.some(nil)` when it is absent), nil
    /// when it is there but unreadable: for an optional entry.
    mutating func optional<T>(_ key: StaticString, _ read: (inout BinaryValueReader) -> T?) -> T?? {
        guard self.key(key) else { return .some(nil) }
        guard let value = read(&self) else { return nil }
        return .some(value)
    }
}
