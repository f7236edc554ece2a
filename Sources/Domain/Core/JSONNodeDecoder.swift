import Foundation

/// The `Decoder` of `PayloadDecoder`: decodes one node of a parsed `JSONDocument`.
///
/// Every failure (a missing key, a type mismatch, a number that does not fit) throws
/// `PayloadDecoderDeclined`, and `PayloadDecoder` then asks `JSONDecoder`, whose error is the one
/// callers see; so this decoder only has to be right where it succeeds, and keeps no coding path
/// (an allocation per value, read only by error messages).
struct JSONNodeDecoder: Decoder {
    let document: JSONDocument
    let node: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document.nodes[node].kind == .object else { throw PayloadDecoderDeclined(reason: "object expected") }
        return KeyedDecodingContainer(KeyedContainer<Key>(document: document, object: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard document.nodes[node].kind == .array else { throw PayloadDecoderDeclined(reason: "array expected") }
        return UnkeyedContainer(document: document, array: node)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// Decodes the node as `T`: scalars and times directly, anything else through `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self { return try document.string(node) as! T }
        if T.self == Int.self { return try decodeInteger(Int.self) as! T }
        if T.self == Int64.self { return try document.integer(node) as! T }
        if T.self == UInt64.self { return try document.unsigned(node) as! T }
        if T.self == Bool.self { return try decode(Bool.self) as! T }
        if T.self == Double.self { return try document.double(node) as! T }
        if T.self == Date.self {
            // The domain's one textual time format (EventRegistry.decoder's strategy).
            guard let date = Timestamp.parse(try document.string(node)) else { throw PayloadDecoderDeclined(reason: "not a time") }
            return date as! T
        }
        if T.self == Decimal.self || T.self == Data.self || T.self == URL.self {
            // Foundation types JSONDecoder treats specially: leave them to it.
            throw PayloadDecoderDeclined(reason: "\(T.self) is decoded by JSONDecoder")
        }
        return try T(from: self)
    }

    func decodeInteger<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        if I.isSigned {
            guard let value = I(exactly: try document.integer(node)) else { throw PayloadDecoderDeclined(reason: "does not fit") }
            return value
        }
        guard let value = I(exactly: try document.unsigned(node)) else { throw PayloadDecoderDeclined(reason: "does not fit") }
        return value
    }

    /// The index of the node after `index` and its descendants.
    static func next(after index: Int, in document: JSONDocument) -> Int {
        let node = document.nodes[index]
        switch node.kind {
        case .array, .object: return Int(node.end)
        default: return index + 1
        }
    }
}

extension JSONNodeDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { document.nodes[node].kind == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch document.nodes[node].kind {
        case .true: return true
        case .false: return false
        default: throw PayloadDecoderDeclined(reason: "not a boolean")
        }
    }

    func decode(_ type: String.Type) throws -> String { try document.string(node) }
    func decode(_ type: Double.Type) throws -> Double { try document.double(node) }
    func decode(_ type: Float.Type) throws -> Float {
        // Rounding through Double could differ from JSONDecoder's in the last place: its call.
        throw PayloadDecoderDeclined(reason: "Float is decoded by JSONDecoder")
    }
    func decode(_ type: Int.Type) throws -> Int { try decodeInteger(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(node) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try document.unsigned(node) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }
}

extension JSONNodeDecoder {
    /// An object: keys are found by comparing their bytes with the member names in place.
    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let document: JSONDocument
        let object: Int
        var codingPath: [any CodingKey] { [] }

        var allKeys: [Key] {
            var keys: [Key] = []
            var index = object + 1
            let end = Int(document.nodes[object].end)
            while index < end {
                if let name = try? document.string(index), let key = Key(stringValue: name) { keys.append(key) }
                index = JSONNodeDecoder.next(after: index + 1, in: document)
            }
            return keys
        }

        /// The value node of `key`, nil when absent; a name given twice declines (which of the two
        /// JSONDecoder takes is its business).
        func valueIndex(_ key: Key) throws -> Int? {
            let name = key.stringValue
            var found: Int?
            var index = object + 1
            let end = Int(document.nodes[object].end)
            while index < end {
                if document.nameEquals(index, name) {
                    guard found == nil else { throw PayloadDecoderDeclined(reason: "member \(name) given twice") }
                    found = index + 1
                }
                index = JSONNodeDecoder.next(after: index + 1, in: document)
            }
            return found
        }

        func value(_ key: Key) throws -> JSONNodeDecoder {
            guard let index = try valueIndex(key) else { throw PayloadDecoderDeclined(reason: "no member \(key.stringValue)") }
            return JSONNodeDecoder(document: document, node: index)
        }

        func contains(_ key: Key) -> Bool {
            // A repeated member counts as present, so that decoding it declines (not a silent nil).
            do { return try valueIndex(key) != nil } catch { return true }
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            guard let index = try valueIndex(key) else { throw PayloadDecoderDeclined(reason: "no member \(key.stringValue)") }
            return document.nodes[index].kind == .null
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key).decode(Bool.self) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key).decode(String.self) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key).decode(Double.self) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(key).decode(Float.self) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key).decode(Int.self) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(key).decode(Int8.self) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(key).decode(Int16.self) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(key).decode(Int32.self) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key).decode(Int64.self) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(key).decode(UInt.self) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(key).decode(UInt8.self) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(key).decode(UInt16.self) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(key).decode(UInt32.self) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(key).decode(UInt64.self) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(key).decodeValue(type) }

        // `decodeIfPresent` (the protocol's default): nil when the member is absent or null.

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try value(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try value(key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { throw PayloadDecoderDeclined(reason: "superDecoder") }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw PayloadDecoderDeclined(reason: "superDecoder") }
    }

    /// An array, read front to back.
    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let document: JSONDocument
        let array: Int
        var codingPath: [any CodingKey] { [] }
        var currentIndex = 0
        /// The node of the next element.
        var position: Int

        init(document: JSONDocument, array: Int) {
            self.document = document
            self.array = array
            position = array + 1
        }

        var count: Int? { Int(document.nodes[array].count) }
        var isAtEnd: Bool { currentIndex >= count! }

        mutating func nextDecoder() throws -> JSONNodeDecoder {
            guard !isAtEnd else { throw PayloadDecoderDeclined(reason: "past the end") }
            let decoder = JSONNodeDecoder(document: document, node: position)
            position = JSONNodeDecoder.next(after: position, in: document)
            currentIndex += 1
            return decoder
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { throw PayloadDecoderDeclined(reason: "past the end") }
            guard document.nodes[position].kind == .null else { return false }
            position += 1
            currentIndex += 1
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try nextDecoder().decode(Bool.self) }
        mutating func decode(_ type: String.Type) throws -> String { try nextDecoder().decode(String.self) }
        mutating func decode(_ type: Double.Type) throws -> Double { try nextDecoder().decode(Double.self) }
        mutating func decode(_ type: Float.Type) throws -> Float { try nextDecoder().decode(Float.self) }
        mutating func decode(_ type: Int.Type) throws -> Int { try nextDecoder().decode(Int.self) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try nextDecoder().decode(Int8.self) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try nextDecoder().decode(Int16.self) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try nextDecoder().decode(Int32.self) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try nextDecoder().decode(Int64.self) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try nextDecoder().decode(UInt.self) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try nextDecoder().decode(UInt8.self) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try nextDecoder().decode(UInt16.self) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try nextDecoder().decode(UInt32.self) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try nextDecoder().decode(UInt64.self) }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try nextDecoder().decodeValue(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try nextDecoder().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try nextDecoder().unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { throw PayloadDecoderDeclined(reason: "superDecoder") }
    }
}
