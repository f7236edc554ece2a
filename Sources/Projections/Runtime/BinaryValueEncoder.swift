import Foundation

/// Encodes `Encodable` values into the compact, deterministic format of `BinaryValueFormat`.
///
/// Why not JSON: encoding read-model values with `JSONEncoder` was about 30 % of a projector
/// rebuild (number and string formatting, escaping, key sorting on `String`s). Here scalars are
/// written straight into a byte buffer as they are encoded; containers only remember where their
/// parts lie in that buffer, and the final pass copies the parts out with object entries sorted
/// by key bytes (memcmp), so the bytes do not depend on the order a `Dictionary` iterated in.
///
/// Reuse one encoder for many values (it keeps its buffers); it is not thread-safe.
final class BinaryValueEncoder {
    private let state = BinaryEncoderState()

    /// - Parameter handWritten: whether `BinaryValueWritable` values write themselves (false only
    ///   in the tests that compare those writers with the generic path).
    init(handWritten: Bool = true) {
        state.handWritten = handWritten
    }

    /// The bytes of `value`. Throws only what the value's own `encode(to:)` throws.
    func encode<V: Encodable>(_ value: V) throws -> [UInt8] {
        state.reset()
        let root = try state.encodeValue(value)
        var output: [UInt8] = []
        output.reserveCapacity(state.scratch.count + 8)
        state.write(root, into: &output)
        return output
    }
}

/// Where an encoded value lies before the final pass: bytes already in `scratch`, or a container
/// whose parts are still to be put in order.
enum BinaryEncodedSlot {
    case bytes(start: Int, end: Int)
    case keyed(BinaryKeyedNode)
    case unkeyed(BinaryUnkeyedNode)
    case deferred(BinaryDeferredSlot)
}

/// An object being encoded: its entries in the order they were encoded.
final class BinaryKeyedNode {
    struct Entry {
        /// The key's UTF-8 bytes in `scratch` (its length prefix is written in the final pass).
        var keyStart: Int
        var keyEnd: Int
        var value: BinaryEncodedSlot
    }
    var entries: [Entry] = []
}

/// An array being encoded. Runs of items already in `scratch` back to back share one part.
final class BinaryUnkeyedNode {
    enum Order {
        /// As encoded (arrays).
        case encoded
        /// Every item sorted by its bytes (a `Set`).
        case sortedItems
        /// Consecutive (key, value) pairs sorted by the key's bytes (a dictionary the standard
        /// library encodes as an array of alternating keys and values).
        case sortedPairs
    }
    var count = 0
    var parts: [BinaryEncodedSlot] = []
    var order = Order.encoded

    func append(_ slot: BinaryEncodedSlot) {
        count += 1
        if order == .encoded, case .bytes(let start, let end) = slot, case .bytes(let lastStart, let lastEnd)? = parts.last, lastEnd == start {
            parts[parts.count - 1] = .bytes(start: lastStart, end: end)
        } else {
            parts.append(slot)
        }
    }
}

/// The value of a `superEncoder()`, filled in whenever its user gets to it.
final class BinaryDeferredSlot {
    var slot: BinaryEncodedSlot?
}

/// Collections whose encoded order follows hashing (and therefore changes from process to
/// process): their encoded items are sorted by bytes.
protocol BinaryUnorderedCollection {
    static var binaryOrder: BinaryUnkeyedNode.Order { get }
}

extension Set: BinaryUnorderedCollection {
    static var binaryOrder: BinaryUnkeyedNode.Order { .sortedItems }
}

extension Dictionary: BinaryUnorderedCollection {
    static var binaryOrder: BinaryUnkeyedNode.Order { .sortedPairs }
}

/// The `Encoder` the values see. One instance serves a whole value tree: a nested value is
/// encoded by saving `current`, letting the value fill it, and restoring it.
final class BinaryEncoderState: Encoder {
    var scratch: [UInt8] = []
    /// What the value being encoded at this level produced so far.
    var current: BinaryEncodedSlot?
    /// Coding path of the value being encoded (kept as a stack; containers report its prefix).
    var path: [any CodingKey] = []
    /// Whether `BinaryValueWritable` values write their own bytes.
    var handWritten = true

    var codingPath: [any CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func reset() {
        scratch.removeAll(keepingCapacity: true)
        current = nil
        path.removeAll(keepingCapacity: true)
    }

    // MARK: Values

    @inline(__always)
    private func bytes(_ write: (inout [UInt8]) -> Void) -> BinaryEncodedSlot {
        let start = scratch.count
        write(&scratch)
        return .bytes(start: start, end: scratch.count)
    }

    /// Encodes one value of any type: the common scalars directly, everything else through its
    /// `encode(to:)`.
    func encodeValue<T: Encodable>(_ value: T) throws -> BinaryEncodedSlot {
        if T.self == String.self { return bytes { $0.appendString(value as! String) } }
        if T.self == Int.self { return bytes { $0.appendSigned(Int64(value as! Int)) } }
        if T.self == Int64.self { return bytes { $0.appendSigned(value as! Int64) } }
        if T.self == UInt64.self { return bytes { $0.appendUnsigned(value as! UInt64) } }
        if T.self == Bool.self { return bytes { $0.appendBool(value as! Bool) } }
        if T.self == Double.self { return bytes { $0.appendDouble(value as! Double) } }
        if T.self == Date.self { return bytes { $0.appendDate(value as! Date) } }
        if handWritten, let writable = value as? any BinaryValueWritable { return bytes { writable.writeBinary(into: &$0) } }
        let saved = current
        current = nil
        defer { current = saved }
        try value.encode(to: self)
        // A value that encoded nothing is an empty object, as with JSONEncoder.
        let produced = current ?? .keyed(BinaryKeyedNode())
        if let unordered = T.self as? any BinaryUnorderedCollection.Type, case .unkeyed(let node) = produced {
            node.order = unordered.binaryOrder
        }
        return produced
    }

    func encodeValue<T: Encodable>(_ value: T, key: any CodingKey) throws -> BinaryEncodedSlot {
        path.append(key)
        defer { path.removeLast() }
        return try encodeValue(value)
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let node: BinaryKeyedNode
        if case .keyed(let existing)? = current {
            node = existing
        } else {
            node = BinaryKeyedNode()
            current = .keyed(node)
        }
        return KeyedEncodingContainer(BinaryKeyedEncodingContainer(state: self, node: node, depth: path.count))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let node: BinaryUnkeyedNode
        if case .unkeyed(let existing)? = current {
            node = existing
        } else {
            node = BinaryUnkeyedNode()
            current = .unkeyed(node)
        }
        return BinaryUnkeyedEncodingContainer(state: self, node: node, depth: path.count)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        BinarySingleValueEncodingContainer(state: self, depth: path.count)
    }

    // MARK: Final pass

    /// Appends the final bytes of `slot` to `output`.
    func write(_ slot: BinaryEncodedSlot, into output: inout [UInt8]) {
        switch slot {
        case .bytes(let start, let end):
            scratch.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end])) }
        case .keyed(let node):
            writeObject(node, into: &output)
        case .unkeyed(let node):
            writeArray(node, into: &output)
        case .deferred(let box):
            write(box.slot ?? .keyed(BinaryKeyedNode()), into: &output)
        }
    }

    private func writeObject(_ node: BinaryKeyedNode, into output: inout [UInt8]) {
        var entries = node.entries
        node.entries = []
        // Sort by key bytes; ties (a key encoded twice) by encoding order, the last one wins.
        scratch.withUnsafeBufferPointer { scratch in
            func precedes(_ a: BinaryKeyedNode.Entry, _ b: BinaryKeyedNode.Entry) -> Bool {
                let order = compareBytes(scratch, a.keyStart, a.keyEnd, b.keyStart, b.keyEnd)
                return order != 0 ? order < 0 : a.keyStart < b.keyStart
            }
            var sorted = true
            for i in entries.indices.dropFirst() where !precedes(entries[i - 1], entries[i]) {
                sorted = false
                break
            }
            if !sorted { entries.sort(by: precedes) }
            var i = 1
            while i < entries.count {
                if compareBytes(scratch, entries[i - 1].keyStart, entries[i - 1].keyEnd, entries[i].keyStart, entries[i].keyEnd) == 0 {
                    entries.remove(at: i - 1)
                } else {
                    i += 1
                }
            }
        }
        output.append(BinaryValueTag.object)
        output.appendVarint(UInt64(entries.count))
        for entry in entries {
            output.appendVarint(UInt64(entry.keyEnd - entry.keyStart))
            write(.bytes(start: entry.keyStart, end: entry.keyEnd), into: &output)
            write(entry.value, into: &output)
        }
    }

    /// The final bytes of each item of an array (runs of scalars that share a part are split
    /// again at value boundaries).
    private func itemBytes(_ parts: [BinaryEncodedSlot]) -> [[UInt8]] {
        var items: [[UInt8]] = []
        for part in parts {
            guard case .bytes(let start, let end) = part else {
                var bytes: [UInt8] = []
                write(part, into: &bytes)
                items.append(bytes)
                continue
            }
            scratch.withUnsafeBytes { scratch in
                var offset = start
                while offset < end {
                    // Our own bytes are well formed; a failure would only merge items.
                    let next = min(end, (try? scratch.skipValue(at: offset)) ?? end)
                    items.append(Array(scratch[offset..<next]))
                    offset = next
                }
            }
        }
        return items
    }

    private func writeArray(_ node: BinaryUnkeyedNode, into output: inout [UInt8]) {
        output.append(BinaryValueTag.array)
        output.appendVarint(UInt64(node.count))
        switch node.order {
        case .encoded:
            for part in node.parts { write(part, into: &output) }
        case .sortedItems:
            var items = itemBytes(node.parts)
            items.sort { $0.lexicographicallyPrecedes($1) }
            for item in items { output.append(contentsOf: item) }
        case .sortedPairs:
            let items = itemBytes(node.parts)
            var pairs: [(key: [UInt8], value: [UInt8])] = []
            pairs.reserveCapacity(items.count / 2 + 1)
            var index = 0
            while index < items.count {
                pairs.append((items[index], index + 1 < items.count ? items[index + 1] : []))
                index += 2
            }
            pairs.sort { $0.key.lexicographicallyPrecedes($1.key) }
            for pair in pairs {
                output.append(contentsOf: pair.key)
                output.append(contentsOf: pair.value)
            }
        }
    }
}

/// memcmp order of two byte ranges of `buffer`: negative, zero or positive.
@inline(__always)
private func compareBytes(_ buffer: UnsafeBufferPointer<UInt8>, _ aStart: Int, _ aEnd: Int, _ bStart: Int, _ bEnd: Int) -> Int {
    let aCount = aEnd - aStart, bCount = bEnd - bStart
    let common = min(aCount, bCount)
    if common > 0, let base = buffer.baseAddress {
        let order = memcmp(base + aStart, base + bStart, common)
        if order != 0 { return Int(order) }
    }
    return aCount - bCount
}

extension Array where Element == UInt8 {
    /// A date as milliseconds since 1970: an `int` when whole (the usual case), else a `double`,
    /// so no precision is lost relative to the JSON `millisecondsSince1970` it replaces.
    @inline(__always)
    mutating func appendDate(_ date: Date) {
        let milliseconds = date.timeIntervalSince1970 * 1000
        if milliseconds.rounded() == milliseconds, abs(milliseconds) < 9.0e18 {
            appendSigned(Int64(milliseconds))
        } else {
            appendDouble(milliseconds)
        }
    }
}

// MARK: - Containers

struct BinaryKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: BinaryEncoderState
    let node: BinaryKeyedNode
    /// Length of the coding path at this container (the encoder's path is a stack).
    let depth: Int

    var codingPath: [any CodingKey] { Array(state.path.prefix(depth)) }

    @inline(__always)
    private func add(_ key: Key, _ write: (inout [UInt8]) -> Void) {
        let keyStart = state.scratch.count
        state.scratch.appendKey(key.stringValue)
        let keyEnd = state.scratch.count
        write(&state.scratch)
        node.entries.append(.init(keyStart: keyStart, keyEnd: keyEnd, value: .bytes(start: keyEnd, end: state.scratch.count)))
    }

    private func add(_ key: Key, slot: BinaryEncodedSlot) {
        let keyStart = state.scratch.count
        state.scratch.appendKey(key.stringValue)
        node.entries.append(.init(keyStart: keyStart, keyEnd: state.scratch.count, value: slot))
    }

    mutating func encodeNil(forKey key: Key) throws { add(key) { $0.append(BinaryValueTag.null) } }
    mutating func encode(_ value: Bool, forKey key: Key) throws { add(key) { $0.appendBool(value) } }
    mutating func encode(_ value: String, forKey key: Key) throws { add(key) { $0.appendString(value) } }
    mutating func encode(_ value: Double, forKey key: Key) throws { add(key) { $0.appendDouble(value) } }
    mutating func encode(_ value: Float, forKey key: Key) throws { add(key) { $0.appendDouble(Double(value)) } }
    mutating func encode(_ value: Int, forKey key: Key) throws { add(key) { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { add(key) { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int16, forKey key: Key) throws { add(key) { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int32, forKey key: Key) throws { add(key) { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(key) { $0.appendSigned(value) } }
    mutating func encode(_ value: UInt, forKey key: Key) throws { add(key) { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { add(key) { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { add(key) { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { add(key) { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { add(key) { $0.appendUnsigned(value) } }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        // The key goes into scratch first, so a scalar value lands right after it.
        let keyStart = state.scratch.count
        state.scratch.appendKey(key.stringValue)
        let keyEnd = state.scratch.count
        let slot = try state.encodeValue(value, key: key)
        node.entries.append(.init(keyStart: keyStart, keyEnd: keyEnd, value: slot))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = BinaryKeyedNode()
        add(key, slot: .keyed(nested))
        return KeyedEncodingContainer(BinaryKeyedEncodingContainer<NestedKey>(state: state, node: nested, depth: depth))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = BinaryUnkeyedNode()
        add(key, slot: .unkeyed(nested))
        return BinaryUnkeyedEncodingContainer(state: state, node: nested, depth: depth)
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(forKey: Key(stringValue: "super")!)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let box = BinaryDeferredSlot()
        add(key, slot: .deferred(box))
        return BinarySuperEncoder(state: state, box: box, codingPath: codingPath + [key])
    }
}

struct BinaryUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let state: BinaryEncoderState
    let node: BinaryUnkeyedNode
    let depth: Int

    var codingPath: [any CodingKey] { Array(state.path.prefix(depth)) }
    var count: Int { node.count }

    @inline(__always)
    private func add(_ write: (inout [UInt8]) -> Void) {
        let start = state.scratch.count
        write(&state.scratch)
        node.append(.bytes(start: start, end: state.scratch.count))
    }

    mutating func encodeNil() throws { add { $0.append(BinaryValueTag.null) } }
    mutating func encode(_ value: Bool) throws { add { $0.appendBool(value) } }
    mutating func encode(_ value: String) throws { add { $0.appendString(value) } }
    mutating func encode(_ value: Double) throws { add { $0.appendDouble(value) } }
    mutating func encode(_ value: Float) throws { add { $0.appendDouble(Double(value)) } }
    mutating func encode(_ value: Int) throws { add { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int8) throws { add { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int16) throws { add { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int32) throws { add { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int64) throws { add { $0.appendSigned(value) } }
    mutating func encode(_ value: UInt) throws { add { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt8) throws { add { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt16) throws { add { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt32) throws { add { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt64) throws { add { $0.appendUnsigned(value) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let slot = try state.encodeValue(value, key: BinaryIndexKey(node.count))
        node.append(slot)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = BinaryKeyedNode()
        node.append(.keyed(nested))
        return KeyedEncodingContainer(BinaryKeyedEncodingContainer<NestedKey>(state: state, node: nested, depth: depth))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = BinaryUnkeyedNode()
        node.append(.unkeyed(nested))
        return BinaryUnkeyedEncodingContainer(state: state, node: nested, depth: depth)
    }

    mutating func superEncoder() -> any Encoder {
        let box = BinaryDeferredSlot()
        let key = BinaryIndexKey(node.count)
        node.append(.deferred(box))
        return BinarySuperEncoder(state: state, box: box, codingPath: codingPath + [key])
    }
}

struct BinarySingleValueEncodingContainer: SingleValueEncodingContainer {
    let state: BinaryEncoderState
    let depth: Int

    var codingPath: [any CodingKey] { Array(state.path.prefix(depth)) }

    @inline(__always)
    private func set(_ write: (inout [UInt8]) -> Void) {
        let start = state.scratch.count
        write(&state.scratch)
        state.current = .bytes(start: start, end: state.scratch.count)
    }

    mutating func encodeNil() throws { set { $0.append(BinaryValueTag.null) } }
    mutating func encode(_ value: Bool) throws { set { $0.appendBool(value) } }
    mutating func encode(_ value: String) throws { set { $0.appendString(value) } }
    mutating func encode(_ value: Double) throws { set { $0.appendDouble(value) } }
    mutating func encode(_ value: Float) throws { set { $0.appendDouble(Double(value)) } }
    mutating func encode(_ value: Int) throws { set { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int8) throws { set { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int16) throws { set { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int32) throws { set { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int64) throws { set { $0.appendSigned(value) } }
    mutating func encode(_ value: UInt) throws { set { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt8) throws { set { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt16) throws { set { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt32) throws { set { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt64) throws { set { $0.appendUnsigned(value) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let slot = try state.encodeValue(value)
        state.current = slot
    }
}

/// The encoder handed out by `superEncoder()`: its result goes into a slot reserved in the
/// parent container, whenever the caller encodes into it.
final class BinarySuperEncoder: Encoder {
    let state: BinaryEncoderState
    let box: BinaryDeferredSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(state: BinaryEncoderState, box: BinaryDeferredSlot, codingPath: [any CodingKey]) {
        self.state = state
        self.box = box
        self.codingPath = codingPath
    }

    /// Runs `body` with the shared state's `current` standing for this encoder's slot.
    private func withSlot<R>(_ body: () -> R) -> R {
        let saved = state.current
        state.current = box.slot
        defer {
            box.slot = state.current
            state.current = saved
        }
        return body()
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        withSlot { state.container(keyedBy: type) }
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        withSlot { state.unkeyedContainer() }
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        BinarySuperSingleValueContainer(encoder: self)
    }

    fileprivate func encodeSingle(_ body: (inout BinarySingleValueEncodingContainer) throws -> Void) rethrows {
        let saved = state.current
        defer { state.current = saved }
        var inner = BinarySingleValueEncodingContainer(state: state, depth: state.path.count)
        try body(&inner)
        box.slot = state.current
    }
}

/// Single-value container of a `BinarySuperEncoder`: each write lands in the reserved slot.
private struct BinarySuperSingleValueContainer: SingleValueEncodingContainer {
    let encoder: BinarySuperEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { try encoder.encodeSingle { try $0.encodeNil() } }
    mutating func encode(_ value: Bool) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: String) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: Double) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: Float) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: Int) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: Int8) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: Int16) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: Int32) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: Int64) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: UInt) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: UInt8) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: UInt16) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: UInt32) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode(_ value: UInt64) throws { try encoder.encodeSingle { try $0.encode(value) } }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeSingle { try $0.encode(value) } }
}

/// The coding key of an array element (for coding paths).
struct BinaryIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

extension Array where Element == UInt8 {
    /// An object key's UTF-8 bytes, without a length (the final pass writes it).
    @inline(__always)
    mutating func appendKey(_ key: String) {
        var key = key
        key.withUTF8 { append(contentsOf: $0) }
    }
}
