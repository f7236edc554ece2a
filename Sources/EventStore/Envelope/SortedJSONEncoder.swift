import Foundation

/// Writes an `Encodable` value as the same bytes as `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes`, several times faster: event data is encoded once per event decided,
/// and `JSONEncoder` was 16 % of the CPU of `crm import` and 7 % of a server taking commands
/// (BENCHMARKS.md, "Event data without JSONEncoder").
///
/// The bytes must be `JSONEncoder`'s, not merely equivalent JSON: a re-import compares stored
/// event data byte for byte, and the hash chain covers them. So this encoder handles what event
/// data is made of (objects, arrays, strings, integers, booleans, nulls, floating-point numbers,
/// `Date`s through `dateFormat`) and gives up on anything else (`Data`, `URL`, `Decimal`, a value
/// encoded twice into one container slot, a non-finite number): `encode` then returns what
/// `JSONEncoder` writes. Tests compare both encoders on every event of the sample company and on
/// random values.
public struct SortedJSONEncoder: Sendable {
    /// How a `Date` is written (as a JSON string).
    public let dateFormat: @Sendable (Date) -> String
    /// The encoder used when this one gives up; configured like this one.
    public let fallback: @Sendable () -> JSONEncoder

    public init(dateFormat: @escaping @Sendable (Date) -> String, fallback: @escaping @Sendable () -> JSONEncoder) {
        self.dateFormat = dateFormat
        self.fallback = fallback
    }

    /// The JSON bytes of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        do {
            return try fastPath(value)
        } catch is Unsupported {
            return Array(try fallback().encode(value))
        }
    }

    /// The bytes written without `JSONEncoder`; throws `Unsupported` where it would be needed.
    func fastPath<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = NodeEncoder(session: EncodingSession(dateFormat: dateFormat))
        try encoder.encodeTopLevel(value)
        if encoder.session.gaveUp { throw Unsupported() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        try encoder.root.write(to: &bytes)
        return bytes
    }

    /// Raised inside the fast path for a value it does not write itself.
    struct Unsupported: Error {}
}

/// A JSON value being built.
private final class Node {
    enum Kind {
        case unset
        case literal([UInt8])
        case string(String)
        case array([Node])
        case object([(key: String, node: Node)])
    }

    var kind: Kind = .unset

    func write(to bytes: inout [UInt8]) throws {
        switch kind {
        case .unset:
            // An empty container the encoder never filled: JSONEncoder writes `{}`.
            bytes.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .literal(let literal):
            bytes.append(contentsOf: literal)
        case .string(let string):
            JSONString.append(string, to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try element.write(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            let sorted = members.count < 2 ? members : members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 {
                    // A key given twice: JSONEncoder keeps one of the two; leave it to JSONEncoder.
                    if sorted[index - 1].key == member.key { throw SortedJSONEncoder.Unsupported() }
                    bytes.append(UInt8(ascii: ","))
                }
                JSONString.append(member.key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                try member.node.write(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// What the encoders of one `encode` call share.
private final class EncodingSession {
    let dateFormat: (Date) -> String
    /// Set when a value used the encoder in a way the fast path does not reproduce (a container
    /// of another kind than the one it already asked for): the whole value then goes to
    /// `JSONEncoder`.
    var gaveUp = false

    init(dateFormat: @escaping (Date) -> String) {
        self.dateFormat = dateFormat
    }
}

/// The `Encoder` that builds `Node`s; one per value encoded (nested values get their own).
private final class NodeEncoder: Encoder {
    let codingPath: [any CodingKey] = []
    let userInfo: [CodingUserInfoKey: Any] = [:]
    let session: EncodingSession
    let root: Node

    init(session: EncodingSession, root: Node = Node()) {
        self.session = session
        self.root = root
    }

    /// An encoder for a nested value, writing into `node`.
    func nested(_ node: Node) -> NodeEncoder { NodeEncoder(session: session, root: node) }

    func encodeTopLevel<T: Encodable>(_ value: T) throws {
        try encodeValue(value, into: root)
    }

    /// Writes `value` into `node`, special types first (as `JSONEncoder` treats them).
    func encodeValue<T: Encodable>(_ value: T, into node: Node) throws {
        switch value {
        case let string as String: node.kind = .string(string)
        case let date as Date: node.kind = .string(session.dateFormat(date))
        case let number as Double: node.kind = .literal(try Self.number(number))
        case let number as Float: node.kind = .literal(try Self.number(number))
        case is Data, is URL, is Decimal: throw SortedJSONEncoder.Unsupported()
        default: try value.encode(to: nested(node))
        }
    }

    /// A floating-point number as `JSONEncoder` writes it: its `description` without a trailing
    /// `.0`; non-finite numbers are `JSONEncoder`'s to refuse.
    static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) throws -> [UInt8] {
        guard let text = JSONNumber.text(value) else { throw SortedJSONEncoder.Unsupported() }
        return Array(text.utf8)
    }

    static func integer<I: BinaryInteger>(_ value: I) -> Node.Kind { .literal(Array(String(value).utf8)) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        switch root.kind {
        case .object: break
        case .unset: root.kind = .object([])
        default:
            session.gaveUp = true
            return KeyedEncodingContainer(Refusing<Key>(session: session))
        }
        return KeyedEncodingContainer(Keyed<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        switch root.kind {
        case .array: break
        case .unset: root.kind = .array([])
        default:
            session.gaveUp = true
            return RefusingUnkeyed(session: session)
        }
        return Unkeyed(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

    /// Appends a member to the root object and returns its node.
    func member(_ key: String) -> Node {
        let node = Node()
        guard case .object(var members) = root.kind else { return node }
        root.kind = .unset
        members.append((key, node))
        root.kind = .object(members)
        return node
    }

    func element() -> Node {
        let node = Node()
        guard case .array(var elements) = root.kind else { return node }
        root.kind = .unset
        elements.append(node)
        root.kind = .array(elements)
        return node
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { encoder.member(key.stringValue).kind = .literal(Array("null".utf8)) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { encoder.member(key.stringValue).kind = .literal(Array((value ? "true" : "false").utf8)) }
        mutating func encode(_ value: String, forKey key: Key) throws { encoder.member(key.stringValue).kind = .string(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { encoder.member(key.stringValue).kind = .literal(try NodeEncoder.number(value)) }
        mutating func encode(_ value: Float, forKey key: Key) throws { encoder.member(key.stringValue).kind = .literal(try NodeEncoder.number(value)) }
        mutating func encode(_ value: Int, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { encoder.member(key.stringValue).kind = NodeEncoder.integer(value) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try encoder.encodeValue(value, into: encoder.member(key.stringValue))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            encoder.nested(encoder.member(key.stringValue)).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            encoder.nested(encoder.member(key.stringValue)).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { encoder.nested(encoder.member("super")) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.nested(encoder.member(key.stringValue)) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { [] }
        var count: Int {
            if case .array(let elements) = encoder.root.kind { return elements.count }
            return 0
        }

        mutating func encodeNil() throws { encoder.element().kind = .literal(Array("null".utf8)) }
        mutating func encode(_ value: Bool) throws { encoder.element().kind = .literal(Array((value ? "true" : "false").utf8)) }
        mutating func encode(_ value: String) throws { encoder.element().kind = .string(value) }
        mutating func encode(_ value: Double) throws { encoder.element().kind = .literal(try NodeEncoder.number(value)) }
        mutating func encode(_ value: Float) throws { encoder.element().kind = .literal(try NodeEncoder.number(value)) }
        mutating func encode(_ value: Int) throws { encoder.element().kind = NodeEncoder.integer(value) }
        mutating func encode(_ value: Int64) throws { encoder.element().kind = NodeEncoder.integer(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value, into: encoder.element()) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            encoder.nested(encoder.element()).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            encoder.nested(encoder.element()).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { encoder.nested(encoder.element()) }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { [] }

        private func set(_ kind: Node.Kind) throws {
            guard case .unset = encoder.root.kind else { throw SortedJSONEncoder.Unsupported() }
            encoder.root.kind = kind
        }

        mutating func encodeNil() throws { try set(.literal(Array("null".utf8))) }
        mutating func encode(_ value: Bool) throws { try set(.literal(Array((value ? "true" : "false").utf8))) }
        mutating func encode(_ value: String) throws { try set(.string(value)) }
        mutating func encode(_ value: Double) throws { try set(.literal(try NodeEncoder.number(value))) }
        mutating func encode(_ value: Float) throws { try set(.literal(try NodeEncoder.number(value))) }
        mutating func encode(_ value: Int) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: Int8) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: Int16) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: Int32) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: Int64) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: UInt) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: UInt8) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: UInt16) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: UInt32) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode(_ value: UInt64) throws { try set(NodeEncoder.integer(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            guard case .unset = encoder.root.kind else { throw SortedJSONEncoder.Unsupported() }
            try encoder.encodeValue(value, into: encoder.root)
        }
    }

    /// Handed out when a value asks for a container of another kind than the one it already
    /// has (the session has given up by then); writes nowhere.
    struct Refusing<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let session: EncodingSession
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil(forKey key: Key) throws { throw SortedJSONEncoder.Unsupported() }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw SortedJSONEncoder.Unsupported() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Refusing<NestedKey>(session: session))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { RefusingUnkeyed(session: session) }
        mutating func superEncoder() -> any Encoder { NodeEncoder(session: session) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(session: session) }
    }

    struct RefusingUnkeyed: UnkeyedEncodingContainer {
        let session: EncodingSession
        var codingPath: [any CodingKey] { [] }
        var count: Int { 0 }
        mutating func encodeNil() throws { throw SortedJSONEncoder.Unsupported() }
        mutating func encode<T: Encodable>(_ value: T) throws { throw SortedJSONEncoder.Unsupported() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Refusing<NestedKey>(session: session))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { RefusingUnkeyed(session: session) }
        mutating func superEncoder() -> any Encoder { NodeEncoder(session: session) }
    }
}
