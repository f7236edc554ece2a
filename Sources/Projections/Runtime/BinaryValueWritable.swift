/// A read-model value that writes its `BinaryValueFormat` bytes itself, bypassing `Codable`.
///
/// Why: the generic encoder goes through `encode(to:)`, one keyed container, one boxed call and one
/// recorded entry per field, then sorts the entries; for the values a projector rewrites at nearly
/// every event (a customer's recent interactions, its state-cycle facts, a cube cell) that was
/// 10–25 % of a rebuild's CPU (perf, 1M events). A conforming type appends the very bytes the
/// generic path gives — keys in byte order, absent optionals left out, as synthesized `Codable`
/// does with `encodeIfPresent` — so stored values, checksums and decoding do not change.
/// `BinaryValueWritableTests` holds every conformance to that, byte for byte.
protocol BinaryValueWritable {
    /// Appends the value's complete encoding (tag included) to `output`.
    func writeBinary(into output: inout [UInt8])
}

extension Array where Element == UInt8 {
    /// An object's tag and entry count; `count` entries must follow, in key byte order.
    @inline(__always)
    mutating func appendObjectHeader(count: Int) {
        append(BinaryValueTag.object)
        appendVarint(UInt64(count))
    }

    /// An object entry's key (its value follows).
    @inline(__always)
    mutating func appendEntryKey(_ key: StaticString) {
        appendVarint(UInt64(key.utf8CodeUnitCount))
        key.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// An array of `items`, each written by `write`.
    @inline(__always)
    mutating func appendArray<T>(_ items: [T], _ write: (inout [UInt8], T) -> Void) {
        append(BinaryValueTag.array)
        appendVarint(UInt64(items.count))
        for item in items { write(&self, item) }
    }

    /// An array of strings.
    mutating func appendStrings(_ items: [String]) {
        appendArray(items) { $0.appendString($1) }
    }

    /// A dictionary with `String` keys: an object, its keys in byte order (as the generic path
    /// writes the standard library's keyed encoding of such a dictionary).
    mutating func appendObject<V>(_ dictionary: [String: V], _ write: (inout [UInt8], V) -> Void) {
        appendObjectHeader(count: dictionary.count)
        for (key, value) in dictionary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            let utf8 = key.utf8
            appendVarint(UInt64(utf8.count))
            append(contentsOf: utf8)
            write(&self, value)
        }
    }
}

/// A string, so that lists of them (the state cycle's schedule buckets hold thousands of ids, and
/// a bucket a batch changed is written whole at its flush) write themselves.
extension String: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendString(self)
    }
}

/// A list of hand-written values. Through `Codable`, each element went through the unkeyed
/// container and a dynamic cast to this protocol: 2.6 % of a logged interaction's server CPU
/// went to the customer 360's list of recent interactions, rewritten at every one.
extension Array: BinaryValueWritable where Element: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendArray(self) { $1.writeBinary(into: &$0) }
    }
}

/// Counter maps (cube cells, roll-up cells): an object of integers, keys in byte order.
extension Dictionary: BinaryValueWritable where Key == String, Value == Int64 {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObject(self) { $0.appendSigned($1) }
    }
}
