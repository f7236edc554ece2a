import Domain
import Foundation

/// A `Decoder` that reads no data: it answers a type's `init(from:)` with placeholder values and
/// records what the type asked for (members, which of them it requires, their types), which is the
/// type's body schema.
///
/// Synthesized and hand-written `Decodable` conformances both work, as long as they decode members
/// with `decode` (required) and `decodeIfPresent` (optional). Leaf types the placeholder values
/// would not satisfy are recognised before probing: `Date`, `Money` (which validates its amount),
/// and `CaseIterable` enumerations (whose cases are read by encoding them).
///
/// A class because the containers it hands out report back to it; it lives for one synchronous
/// probe on one thread and is never shared.
final class SchemaProbeDecoder: Decoder {
    let codingPath: [any CodingKey] = []
    let userInfo: [CodingUserInfoKey: Any] = [:]
    /// What the type asked for, once it has asked.
    fileprivate var recorded: BodySchema?

    /// A placeholder value of `type` and its schema.
    static func probe<T: Decodable>(_ type: T.Type) throws -> (value: T, schema: BodySchema) {
        if let value = Self.leaf(type) { return value }
        let decoder = SchemaProbeDecoder()
        let value = try T(from: decoder)
        guard let schema = decoder.recorded else { throw ProbeFailure(type: "\(type)") }
        return (value, schema)
    }

    /// Types answered without probing their `init(from:)`.
    private static func leaf<T: Decodable>(_ type: T.Type) -> (value: T, schema: BodySchema)? {
        switch type {
        case is String.Type: return ("x" as? T).map { ($0, .string) }
        case is Bool.Type: return (false as? T).map { ($0, .boolean) }
        case is Int.Type: return (0 as? T).map { ($0, .integer) }
        case is Int64.Type: return (Int64(0) as? T).map { ($0, .integer) }
        case is UInt64.Type: return (UInt64(0) as? T).map { ($0, .integer) }
        case is Int32.Type: return (Int32(0) as? T).map { ($0, .integer) }
        case is UInt16.Type: return (UInt16(0) as? T).map { ($0, .integer) }
        case is Double.Type: return (0.0 as? T).map { ($0, .number) }
        case is Date.Type: return (Date(timeIntervalSince1970: 0) as? T).map { ($0, .dateTime) }
        case is UUID.Type: return (UUID() as? T).map { ($0, .string) }
        case is Money.Type: return (Money.zero("EUR") as? T).map { ($0, .money) }
        default: break
        }
        guard let enumeration = type as? any CaseIterable.Type else { return nil }
        let cases = allCases(of: enumeration)
        let names = cases.compactMap { value -> String? in
            guard let value = value as? any Encodable, let data = try? JSONEncoder().encode(value) else { return nil }
            return try? JSONDecoder().decode(String.self, from: data)
        }
        guard let first = cases.first as? T, names.count == cases.count else { return nil }
        return (first, .enumeration(names))
    }

    /// The cases of an enumeration, opened from its existential metatype.
    private static func allCases<E: CaseIterable>(of type: E.Type) -> [Any] { Array(type.allCases) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let object = ProbeObject()
        recorded = .object([])
        return KeyedDecodingContainer(ProbeKeyedContainer<Key>(owner: self, object: object))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        ProbeUnkeyedContainer(owner: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ProbeSingleValueContainer(owner: self)
    }

    fileprivate func record(_ schema: BodySchema) { recorded = schema }
}

/// A type the probe cannot describe.
struct ProbeFailure: Error {
    var type: String
}

/// The members an object container has been asked for so far.
private final class ProbeObject {
    var fields: [BodySchema.Field] = []
    var map: BodySchema?
}

private struct ProbeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let owner: SchemaProbeDecoder
    let object: ProbeObject
    var codingPath: [any CodingKey] { [] }

    /// Asked only by dictionaries: one placeholder member, whose value type is the map's.
    var allKeys: [Key] {
        Key(stringValue: "*").map { [$0] } ?? []
    }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (value, schema) = try SchemaProbeDecoder.probe(type)
        note(key, schema, required: true)
        return value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        note(key, try SchemaProbeDecoder.probe(type).schema, required: false)
        return nil
    }

    private func note(_ key: Key, _ schema: BodySchema, required: Bool) {
        if key.stringValue == "*" {
            object.map = schema
            owner.record(.map(schema))
            return
        }
        object.fields.removeAll { $0.name == key.stringValue }
        object.fields.append(BodySchema.Field(name: key.stringValue, schema: schema, required: required))
        owner.record(.object(object.fields))
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type as Bool.Type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type as String.Type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type as Double.Type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { note(key, .number, required: true); return 0 }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type as Int.Type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { note(key, .integer, required: true); return 0 }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { note(key, .integer, required: true); return 0 }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { note(key, .integer, required: true); return 0 }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { note(key, .integer, required: true); return 0 }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { note(key, .integer, required: true); return 0 }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { note(key, .integer, required: true); return 0 }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { note(key, .integer, required: true); return 0 }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { note(key, .integer, required: true); return 0 }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { note(key, .integer, required: true); return 0 }

    private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        let (value, schema) = try SchemaProbeDecoder.probe(type)
        note(key, schema, required: true)
        return value
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { note(key, .boolean, required: false); return nil }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { note(key, .string, required: false); return nil }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { note(key, .number, required: false); return nil }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { note(key, .number, required: false); return nil }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { note(key, .integer, required: false); return nil }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { note(key, .integer, required: false); return nil }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw ProbeFailure(type: "nested container at \(key.stringValue)")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw ProbeFailure(type: "nested container at \(key.stringValue)")
    }

    func superDecoder() throws -> any Decoder { throw ProbeFailure(type: "super decoder") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw ProbeFailure(type: "super decoder") }
}

/// An array of one placeholder element, whose schema is the array's item schema.
private struct ProbeUnkeyedContainer: UnkeyedDecodingContainer {
    let owner: SchemaProbeDecoder
    var codingPath: [any CodingKey] { [] }
    var count: Int? { 1 }
    var isAtEnd: Bool { currentIndex >= 1 }
    private(set) var currentIndex = 0

    init(owner: SchemaProbeDecoder) {
        self.owner = owner
        owner.record(.array(.string))
    }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, schema) = try SchemaProbeDecoder.probe(type)
        owner.record(.array(schema))
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw ProbeFailure(type: "nested container in an array")
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw ProbeFailure(type: "nested container in an array")
    }

    mutating func superDecoder() throws -> any Decoder { throw ProbeFailure(type: "super decoder") }
}

/// A single value: a leaf type, or `Optional`'s wrapped value after `decodeNil`.
private struct ProbeSingleValueContainer: SingleValueDecodingContainer {
    let owner: SchemaProbeDecoder
    var codingPath: [any CodingKey] { [] }
    /// `Optional.init(from:)` asks `decodeNil` first: the value is then nullable.
    private let nullable = Box()

    private final class Box { var value = false }

    init(owner: SchemaProbeDecoder) { self.owner = owner }

    func decodeNil() -> Bool {
        nullable.value = true
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, schema) = try SchemaProbeDecoder.probe(type)
        owner.record(nullable.value ? .nullable(schema) : schema)
        return value
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decode(type as Bool.Type, 0) }
    func decode(_ type: String.Type) throws -> String { try decode(type as String.Type, 0) }
    func decode(_ type: Double.Type) throws -> Double { try decode(type as Double.Type, 0) }
    func decode(_ type: Float.Type) throws -> Float { owner.record(.number); return 0 }
    func decode(_ type: Int.Type) throws -> Int { try decode(type as Int.Type, 0) }
    func decode(_ type: Int8.Type) throws -> Int8 { owner.record(.integer); return 0 }
    func decode(_ type: Int16.Type) throws -> Int16 { owner.record(.integer); return 0 }
    func decode(_ type: Int32.Type) throws -> Int32 { owner.record(.integer); return 0 }
    func decode(_ type: Int64.Type) throws -> Int64 { owner.record(.integer); return 0 }
    func decode(_ type: UInt.Type) throws -> UInt { owner.record(.integer); return 0 }
    func decode(_ type: UInt8.Type) throws -> UInt8 { owner.record(.integer); return 0 }
    func decode(_ type: UInt16.Type) throws -> UInt16 { owner.record(.integer); return 0 }
    func decode(_ type: UInt32.Type) throws -> UInt32 { owner.record(.integer); return 0 }
    func decode(_ type: UInt64.Type) throws -> UInt64 { owner.record(.integer); return 0 }

    private func decode<T: Decodable>(_ type: T.Type, _: Int) throws -> T {
        let (value, schema) = try SchemaProbeDecoder.probe(type)
        owner.record(nullable.value ? .nullable(schema) : schema)
        return value
    }
}
