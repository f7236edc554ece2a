import Foundation

/// Decodes values written by `BinaryValueEncoder` (format in `BinaryValueFormat`).
///
/// Every read is bounds-checked, so corrupt or foreign bytes throw a `DecodingError` and never
/// trap; bytes left over after the value also throw. Object entries are stored sorted by key,
/// which differs from the order synthesized decoders ask in (declaration order), so a keyed
/// container indexes its entries once and finds a key by checking the last hit and its successor
/// first (the common, in-order case) and by binary search otherwise.
///
/// The decoder is a stateless value; each `decode` call works on its own copy of the bytes, so a
/// `Decoder` that a type's `init(from:)` might keep can never point at freed storage.
struct BinaryValueDecoder {
    init() {}

    /// The value of type `V` in `bytes`. Throws `DecodingError` when the bytes are not a
    /// well-formed encoding of a `V` (corrupt, truncated, trailing bytes, another type).
    func decode<V: Decodable>(_ type: V.Type, from bytes: UnsafeRawBufferPointer) throws -> V {
        let state = BinaryDecoderState(copying: bytes)
        return try state.decodeRoot(V.self)
    }
}

/// The `Decoder` the values see: one instance per decoded value tree. A nested value is decoded
/// by pointing `offset` at it for the length of its `init(from:)`.
final class BinaryDecoderState: Decoder {
    struct Entry {
        var keyStart: Int
        var keyLength: Int
        var valueStart: Int
    }

    private let storage: UnsafeMutableRawBufferPointer
    let bytes: UnsafeRawBufferPointer
    /// Start of the value being decoded at this level.
    var offset = 0
    var path: [any CodingKey]
    /// Entries of every keyed container of this tree, each container a range of it (one array
    /// for all instead of one per container).
    var entries: [Entry] = []
    /// Per keyed container: the entry index of the last key found.
    var hints: [Int] = []

    var codingPath: [any CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(copying source: UnsafeRawBufferPointer, offset: Int = 0, path: [any CodingKey] = []) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, source.count), alignment: 8)
        if source.count > 0 { storage.copyMemory(from: source) }
        bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<source.count])
        self.offset = offset
        self.path = path
    }

    deinit { storage.deallocate() }

    func decodeRoot<V: Decodable>(_ type: V.Type) throws -> V {
        let value = try decodeValue(V.self, at: 0)
        let end = try check { () throws(BinaryValueCorruption) in try bytes.skipValue(at: 0) }
        guard end == bytes.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(bytes.count - end) bytes after the value"))
        }
        return value
    }

    // MARK: Errors

    /// Runs a raw read, turning corruption into `DecodingError.dataCorrupted` at the current path.
    @inline(__always)
    func check<R>(_ body: () throws(BinaryValueCorruption) -> R) throws -> R {
        do {
            return try body()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "corrupt value at byte \(error.offset): \(error.reason)"))
        }
    }

    func mismatch(_ type: Any.Type, tag: UInt8) -> DecodingError {
        if tag == BinaryValueTag.null {
            return DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "expected \(type), found nil"))
        }
        return DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(type), found \(Self.describe(tag))"))
    }

    static func describe(_ tag: UInt8) -> String {
        switch tag {
        case BinaryValueTag.null: "nil"
        case BinaryValueTag.false, BinaryValueTag.true: "a bool"
        case BinaryValueTag.int, BinaryValueTag.uint: "an integer"
        case BinaryValueTag.double: "a double"
        case BinaryValueTag.string: "a string"
        case BinaryValueTag.array: "an array"
        case BinaryValueTag.object: "an object"
        default: "tag \(tag)"
        }
    }

    @inline(__always)
    func tag(at offset: Int) throws -> UInt8 {
        try check { () throws(BinaryValueCorruption) in try bytes.byte(at: offset) }
    }

    // MARK: Scalars

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) throws -> T {
        let tag = try tag(at: offset)
        let result: T?
        switch tag {
        case BinaryValueTag.int:
            let raw = try check { () throws(BinaryValueCorruption) in try bytes.varint(at: offset + 1).0 }
            result = T(exactly: Int64(zigzag: raw))
        case BinaryValueTag.uint:
            result = T(exactly: try check { () throws(BinaryValueCorruption) in try bytes.varint(at: offset + 1).0 })
        case BinaryValueTag.double:
            let value = Double(bitPattern: try check { () throws(BinaryValueCorruption) in try bytes.bigEndian64(at: offset + 1) })
            result = T(exactly: value)
        default:
            throw mismatch(T.self, tag: tag)
        }
        guard let result else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "number does not fit in \(T.self)"))
        }
        return result
    }

    func decodeDouble(at offset: Int) throws -> Double {
        let tag = try tag(at: offset)
        switch tag {
        case BinaryValueTag.double:
            return Double(bitPattern: try check { () throws(BinaryValueCorruption) in try bytes.bigEndian64(at: offset + 1) })
        case BinaryValueTag.int:
            return Double(try decodeInteger(Int64.self, at: offset))
        case BinaryValueTag.uint:
            return Double(try decodeInteger(UInt64.self, at: offset))
        default:
            throw mismatch(Double.self, tag: tag)
        }
    }

    func decodeBool(at offset: Int) throws -> Bool {
        let tag = try tag(at: offset)
        switch tag {
        case BinaryValueTag.true: return true
        case BinaryValueTag.false: return false
        default: throw mismatch(Bool.self, tag: tag)
        }
    }

    func decodeString(at offset: Int) throws -> String {
        let tag = try tag(at: offset)
        guard tag == BinaryValueTag.string else { throw mismatch(String.self, tag: tag) }
        let (length, start) = try check { () throws(BinaryValueCorruption) in try bytes.length(at: offset + 1) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]), as: UTF8.self)
    }

    func decodeDate(at offset: Int) throws -> Date {
        Date(timeIntervalSince1970: try decodeDouble(at: offset) / 1000)
    }

    // MARK: Values

    /// Decodes the value at `offset` as `T`: the common scalars directly, everything else through
    /// its `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type, at offset: Int) throws -> T {
        if T.self == String.self { return try decodeString(at: offset) as! T }
        if T.self == Int.self { return try decodeInteger(Int.self, at: offset) as! T }
        if T.self == Int64.self { return try decodeInteger(Int64.self, at: offset) as! T }
        if T.self == UInt64.self { return try decodeInteger(UInt64.self, at: offset) as! T }
        if T.self == Bool.self { return try decodeBool(at: offset) as! T }
        if T.self == Double.self { return try decodeDouble(at: offset) as! T }
        if T.self == Date.self { return try decodeDate(at: offset) as! T }
        let saved = self.offset
        self.offset = offset
        defer { self.offset = saved }
        return try T(from: self)
    }

    func decodeValue<T: Decodable>(_ type: T.Type, at offset: Int, key: any CodingKey) throws -> T {
        path.append(key)
        defer { path.removeLast() }
        return try decodeValue(type, at: offset)
    }

    /// Indexes the object at `offset`; returns its range of `entries` and its hint slot.
    func openObject(at offset: Int) throws -> (base: Int, count: Int, hint: Int) {
        let tag = try tag(at: offset)
        guard tag == BinaryValueTag.object else { throw mismatch([String: Any].self, tag: tag) }
        return try check { () throws(BinaryValueCorruption) in
            let (count, first) = try bytes.length(at: offset + 1, itemSize: 2)
            let base = entries.count
            entries.reserveCapacity(base + count)
            var next = first
            for _ in 0..<count {
                let (keyLength, keyStart) = try bytes.length(at: next)
                let valueStart = keyStart + keyLength
                entries.append(Entry(keyStart: keyStart, keyLength: keyLength, valueStart: valueStart))
                next = try bytes.skipValue(at: valueStart)
            }
            hints.append(0)
            return (base, count, hints.count - 1)
        }
    }

    /// The array at `offset`: its count and the offset of its first item.
    func openArray(at offset: Int) throws -> (count: Int, first: Int) {
        let tag = try tag(at: offset)
        guard tag == BinaryValueTag.array else { throw mismatch([Any].self, tag: tag) }
        return try check { () throws(BinaryValueCorruption) in try bytes.length(at: offset + 1) }
    }

    /// The offset of the value under `key` in the object `(base, count)`, nil when absent.
    func find(_ key: String, base: Int, count: Int, hint: Int) -> Int? {
        guard count > 0 else { return nil }
        var key = key
        return key.withUTF8 { wanted -> Int? in
            func compare(_ index: Int) -> Int {
                let entry = entries[base + index]
                let common = min(entry.keyLength, wanted.count)
                if common > 0 {
                    let order = memcmp(bytes.baseAddress! + entry.keyStart, wanted.baseAddress!, common)
                    if order != 0 { return Int(order) }
                }
                return entry.keyLength - wanted.count
            }
            let last = hints[hint]
            if compare(last) == 0 { return entries[base + last].valueStart }
            if last + 1 < count, compare(last + 1) == 0 {
                hints[hint] = last + 1
                return entries[base + last + 1].valueStart
            }
            var low = 0, high = count
            while low < high {
                let mid = (low + high) / 2
                let order = compare(mid)
                if order == 0 {
                    hints[hint] = mid
                    return entries[base + mid].valueStart
                }
                if order < 0 { low = mid + 1 } else { high = mid }
            }
            return nil
        }
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let (base, count, hint) = try openObject(at: offset)
        return KeyedDecodingContainer(BinaryKeyedDecodingContainer<Key>(state: self, base: base, entryCount: count, hint: hint, depth: path.count))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (count, first) = try openArray(at: offset)
        return BinaryUnkeyedDecodingContainer(state: self, depth: path.count, count: count, position: first)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BinarySingleValueDecodingContainer(state: self, offset: offset, depth: path.count)
    }

    /// A decoder of its own for the value at `offset` (for `superDecoder`).
    func detached(at offset: Int, path: [any CodingKey]) -> BinaryDecoderState {
        BinaryDecoderState(copying: bytes, offset: offset, path: path)
    }
}

// MARK: - Containers

struct BinaryKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: BinaryDecoderState
    let base: Int
    let entryCount: Int
    let hint: Int
    /// Length of the coding path at this container (the decoder's path is a stack).
    let depth: Int

    var codingPath: [any CodingKey] { Array(state.path.prefix(depth)) }

    var allKeys: [Key] {
        (0..<entryCount).compactMap { index in
            let entry = state.entries[base + index]
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: state.bytes[entry.keyStart..<entry.keyStart + entry.keyLength]), as: UTF8.self)
            return Key(stringValue: name)
        }
    }

    func contains(_ key: Key) -> Bool { offset(of: key) != nil }

    @inline(__always)
    private func offset(of key: Key) -> Int? {
        state.find(key.stringValue, base: base, count: entryCount, hint: hint)
    }

    private func require(_ key: Key) throws -> Int {
        guard let offset = offset(of: key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return offset
    }

    /// The offset of a present, non-nil value (for `decodeIfPresent`: one lookup instead of three).
    private func present(_ key: Key) throws -> Int? {
        guard let offset = offset(of: key), try state.tag(at: offset) != BinaryValueTag.null else { return nil }
        return offset
    }

    private func value<T: Decodable>(_ type: T.Type, at offset: Int, _ key: Key) throws -> T {
        try state.decodeValue(type, at: offset, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try state.tag(at: try require(key)) == BinaryValueTag.null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(type, at: try require(key), key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(type, at: try require(key), key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(type, at: try require(key), key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try value(Double.self, at: try require(key), key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(type, at: try require(key), key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try state.decodeInteger(type, at: try require(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try state.decodeInteger(type, at: try require(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try state.decodeInteger(type, at: try require(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(type, at: try require(key), key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try state.decodeInteger(type, at: try require(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try state.decodeInteger(type, at: try require(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try state.decodeInteger(type, at: try require(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try state.decodeInteger(type, at: try require(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(type, at: try require(key), key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(type, at: try require(key), key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key).map { try value(type, at: $0, key) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key).map { try value(type, at: $0, key) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key).map { try value(type, at: $0, key) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key).map { try value(type, at: $0, key) } }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key).map { try value(type, at: $0, key) } }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(key).map { try value(type, at: $0, key) } }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(key).map { try value(type, at: $0, key) } }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let (base, count, hint) = try state.openObject(at: try require(key))
        return KeyedDecodingContainer(BinaryKeyedDecodingContainer<NestedKey>(state: state, base: base, entryCount: count, hint: hint, depth: depth))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let (count, first) = try state.openArray(at: try require(key))
        return BinaryUnkeyedDecodingContainer(state: state, depth: depth, count: count, position: first)
    }

    func superDecoder() throws -> any Decoder {
        try superDecoder(forKey: Key(stringValue: "super")!)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        state.detached(at: try require(key), path: codingPath + [key])
    }
}

struct BinaryUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let state: BinaryDecoderState
    let depth: Int
    let itemCount: Int
    /// Offset of the next item.
    var position: Int
    var currentIndex = 0

    init(state: BinaryDecoderState, depth: Int, count: Int, position: Int) {
        self.state = state
        self.depth = depth
        self.itemCount = count
        self.position = position
    }

    var codingPath: [any CodingKey] { Array(state.path.prefix(depth)) }
    var count: Int? { itemCount }
    var isAtEnd: Bool { currentIndex >= itemCount }

    /// Decodes the next item with `read` and moves past it.
    private mutating func next<T>(_ type: T.Type, _ read: (Int) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [BinaryIndexKey(currentIndex)], debugDescription: "unkeyed container is at its end"))
        }
        let start = position
        let value = try read(start)
        position = try state.check { () throws(BinaryValueCorruption) in try state.bytes.skipValue(at: start) }
        currentIndex += 1
        return value
    }

    private mutating func item<T: Decodable>(_ type: T.Type) throws -> T {
        let key = BinaryIndexKey(currentIndex)
        return try next(type) { [state] in try state.decodeValue(type, at: $0, key: key) }
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any?.self, .init(codingPath: codingPath + [BinaryIndexKey(currentIndex)], debugDescription: "unkeyed container is at its end"))
        }
        guard try state.tag(at: position) == BinaryValueTag.null else { return false }
        position += 1
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try item(type) }
    mutating func decode(_ type: String.Type) throws -> String { try item(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try item(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try item(Double.self)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try item(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { [state] in try state.decodeInteger(type, at: $0) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { [state] in try state.decodeInteger(type, at: $0) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { [state] in try state.decodeInteger(type, at: $0) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try item(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { [state] in try state.decodeInteger(type, at: $0) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { [state] in try state.decodeInteger(type, at: $0) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { [state] in try state.decodeInteger(type, at: $0) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { [state] in try state.decodeInteger(type, at: $0) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try item(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try item(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let depth = self.depth
        return try next(KeyedDecodingContainer<NestedKey>.self) { [state] offset in
            let (base, count, hint) = try state.openObject(at: offset)
            return KeyedDecodingContainer(BinaryKeyedDecodingContainer<NestedKey>(state: state, base: base, entryCount: count, hint: hint, depth: depth))
        }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let depth = self.depth
        return try next((any UnkeyedDecodingContainer).self) { [state] offset in
            let (count, first) = try state.openArray(at: offset)
            return BinaryUnkeyedDecodingContainer(state: state, depth: depth, count: count, position: first)
        }
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = codingPath + [BinaryIndexKey(currentIndex)]
        return try next((any Decoder).self) { [state] offset in state.detached(at: offset, path: path) }
    }
}

struct BinarySingleValueDecodingContainer: SingleValueDecodingContainer {
    let state: BinaryDecoderState
    let offset: Int
    let depth: Int

    var codingPath: [any CodingKey] { Array(state.path.prefix(depth)) }

    func decodeNil() -> Bool { (try? state.tag(at: offset)) == BinaryValueTag.null }
    func decode(_ type: Bool.Type) throws -> Bool { try state.decodeBool(at: offset) }
    func decode(_ type: String.Type) throws -> String { try state.decodeString(at: offset) }
    func decode(_ type: Double.Type) throws -> Double { try state.decodeDouble(at: offset) }
    func decode(_ type: Float.Type) throws -> Float { Float(try state.decodeDouble(at: offset)) }
    func decode(_ type: Int.Type) throws -> Int { try state.decodeInteger(type, at: offset) }
    func decode(_ type: Int8.Type) throws -> Int8 { try state.decodeInteger(type, at: offset) }
    func decode(_ type: Int16.Type) throws -> Int16 { try state.decodeInteger(type, at: offset) }
    func decode(_ type: Int32.Type) throws -> Int32 { try state.decodeInteger(type, at: offset) }
    func decode(_ type: Int64.Type) throws -> Int64 { try state.decodeInteger(type, at: offset) }
    func decode(_ type: UInt.Type) throws -> UInt { try state.decodeInteger(type, at: offset) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try state.decodeInteger(type, at: offset) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try state.decodeInteger(type, at: offset) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try state.decodeInteger(type, at: offset) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try state.decodeInteger(type, at: offset) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try state.decodeValue(type, at: offset) }
}
