import Foundation

/// Decodes the JSON of event payloads and command records, the same values `EventRegistry.decoder`
/// gives, in a fraction of its time; anything it does not accept goes to that decoder, which then
/// decides (and names the error).
///
/// Why: Foundation's `JSONDecoder` built a dictionary of `String` keys for every object it decoded
/// and a coding-path node for every value, and was the largest single cost of a projector rebuild
/// (18 % of customer360's) and of an import (a third of its CPU: every command line). Here the
/// bytes are parsed once into a flat list of nodes; a keyed container finds a key by comparing its
/// UTF-8 bytes with the object's member names in place, and nothing is allocated per value but
/// the strings themselves.
///
/// It is strict where it can be, so that a value it returns is the value `JSONDecoder` would:
/// RFC 8259 syntax only; an object with a repeated member name, an integer written with a fraction
/// or an exponent, a number that does not fit, a lone surrogate escape: each throws, and
/// `decode(_:from:)` then asks `JSONDecoder`. Times are the domain's ISO-8601 strings (`Timestamp`).
/// `PayloadDecoderTests` decodes every event and command of the committed sample both ways.
///
/// The one way it could differ: a type whose `init(from:)` catches a decoding error (`try?`) and
/// tries another reading would take that other reading where this decoder declines, instead of the
/// whole document going to `JSONDecoder`. No event or command type does; keep it so (the server's
/// `JSONValue` does, which is why a request body's first parse, into `JSONValue`, stays with
/// `JSONDecoder`; the command is then decoded here).
public enum PayloadDecoder {
    /// The value of `type` in `bytes`, as `EventRegistry.decoder` would decode it.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        if let value = try? decodeFast(type, from: bytes) { return value }
        return try EventRegistry.decoder.decode(type, from: Data(bytes))
    }

    /// The value of `type` in `bytes` by the fast path alone (throws where it would defer).
    static func decodeFast<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        let document = try bytes.withContiguousStorageIfAvailable { try JSONDocument(parsing: $0) }
            ?? Array(bytes).withUnsafeBufferPointer { try JSONDocument(parsing: $0) }
        return try document.decode(type)
    }
}

/// Why the fast path declined; never shown (the fallback decoder's error is).
struct PayloadDecoderDeclined: Error {
    let reason: String
}

/// Parsed JSON: the bytes and a flat list of nodes, each container followed by its contents. A
/// class, so the decoders of its values share it without copying.
final class JSONDocument {
    enum Kind: UInt8 { case null, `false`, `true`, number, string, escapedString, array, object }

    /// One value. For a container, `count` is its number of elements (an object's members are
    /// name, value pairs, so 2 per member) and `end` the index after its last descendant; for a
    /// string or number, `start..<end` is the byte range (a string's without its quotes).
    struct Node {
        var kind: Kind
        var start: Int32
        var end: Int32
        var count: Int32
    }

    let bytes: [UInt8]
    let nodes: [Node]

    init(parsing buffer: UnsafeBufferPointer<UInt8>) throws {
        guard buffer.count < Int(Int32.max) else { throw PayloadDecoderDeclined(reason: "too long") }
        var parser = Parser(input: buffer, offset: 0, nodes: [])
        parser.nodes.reserveCapacity(buffer.count / 6 + 4)
        try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == buffer.count else { throw PayloadDecoderDeclined(reason: "bytes after the value") }
        bytes = Array(buffer)
        nodes = parser.nodes
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONNodeDecoder(document: self, node: 0).decodeValue(type)
    }

    // MARK: Values

    /// The string of a string node.
    func string(_ index: Int) throws -> String {
        let node = nodes[index]
        switch node.kind {
        case .string:
            return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[Int(node.start)..<Int(node.end)]), as: UTF8.self) }
        case .escapedString:
            // Escapes, or bytes beyond ASCII (checked to be valid UTF-8 when parsed).
            let text = try bytes.withUnsafeBufferPointer { try Self.unescape($0, Int(node.start)..<Int(node.end)) }
            return String(decoding: text, as: UTF8.self)
        default:
            throw PayloadDecoderDeclined(reason: "not a string")
        }
    }

    /// Whether the name node at `index` spells `name`.
    func nameEquals(_ index: Int, _ name: String) -> Bool {
        let node = nodes[index]
        guard node.kind == .string else { return (try? string(index)) == name }
        var name = name
        return name.withUTF8 { utf8 in
            let length = Int(node.end - node.start)
            guard utf8.count == length else { return false }
            return bytes.withUnsafeBufferPointer { all in
                length == 0 || memcmp(all.baseAddress! + Int(node.start), utf8.baseAddress!, length) == 0
            }
        }
    }

    /// A signed integer written without fraction or exponent that fits `Int64`.
    func integer(_ index: Int) throws -> Int64 {
        let node = nodes[index]
        guard node.kind == .number else { throw PayloadDecoderDeclined(reason: "not a number") }
        let negative = bytes[Int(node.start)] == UInt8(ascii: "-")
        let magnitude = try digits(Int(node.start) + (negative ? 1 : 0)..<Int(node.end))
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw PayloadDecoderDeclined(reason: "integer too small") }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw PayloadDecoderDeclined(reason: "integer too large") }
        return Int64(magnitude)
    }

    /// An unsigned integer written without fraction or exponent.
    func unsigned(_ index: Int) throws -> UInt64 {
        let node = nodes[index]
        guard node.kind == .number, bytes[Int(node.start)] != UInt8(ascii: "-") else { throw PayloadDecoderDeclined(reason: "not unsigned") }
        return try digits(Int(node.start)..<Int(node.end))
    }

    /// The value of the decimal digits in `range`; anything else (a fraction, an exponent) or a
    /// value beyond `UInt64` declines.
    private func digits(_ range: Range<Int>) throws -> UInt64 {
        var magnitude: UInt64 = 0
        for i in range {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { throw PayloadDecoderDeclined(reason: "not an integer") }
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { throw PayloadDecoderDeclined(reason: "integer too large") }
            magnitude = plus
        }
        return magnitude
    }

    /// A floating-point number (any JSON number), as `strtod` reads it.
    func double(_ index: Int) throws -> Double {
        let node = nodes[index]
        guard node.kind == .number else { throw PayloadDecoderDeclined(reason: "not a number") }
        let text = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[Int(node.start)..<Int(node.end)]), as: UTF8.self) }
        guard let value = Double(text), value.isFinite else { throw PayloadDecoderDeclined(reason: "not a finite double") }
        return value
    }

    /// The bytes of a string with its escapes resolved.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = bytes[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            let escape = bytes[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(bytes, at: i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 6 <= range.upperBound, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw PayloadDecoderDeclined(reason: "lone surrogate")
                    }
                    let low = try hex4(bytes, at: i + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw PayloadDecoderDeclined(reason: "lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw PayloadDecoderDeclined(reason: "lone surrogate")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw PayloadDecoderDeclined(reason: "bad escape") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw PayloadDecoderDeclined(reason: "bad escape")
            }
        }
        return out
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for i in offset..<(offset + 4) {
            let byte = bytes[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw PayloadDecoderDeclined(reason: "bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    // MARK: Parsing

    /// A recursive-descent parser filling `nodes` in document order.
    private struct Parser {
        let input: UnsafeBufferPointer<UInt8>
        var offset: Int
        var nodes: [Node]

        static let maximumDepth = 256

        mutating func skipWhitespace() {
            while offset < input.count {
                switch input[offset] {
                case 0x20, 0x0A, 0x0D, 0x09: offset += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: StaticString, _ kind: Kind) throws {
            let length = literal.utf8CodeUnitCount
            guard offset + length <= input.count,
                  memcmp(input.baseAddress! + offset, literal.utf8Start, length) == 0 else { throw PayloadDecoderDeclined(reason: "bad literal") }
            nodes.append(Node(kind: kind, start: Int32(offset), end: Int32(offset + length), count: 0))
            offset += length
        }

        mutating func parseValue(depth: Int) throws {
            guard depth < Self.maximumDepth else { throw PayloadDecoderDeclined(reason: "too deep") }
            skipWhitespace()
            guard offset < input.count else { throw PayloadDecoderDeclined(reason: "unexpected end") }
            switch input[offset] {
            case UInt8(ascii: "{"): try parseContainer(object: true, depth: depth)
            case UInt8(ascii: "["): try parseContainer(object: false, depth: depth)
            case UInt8(ascii: "\""): try parseString()
            case UInt8(ascii: "t"): try expect("true", .true)
            case UInt8(ascii: "f"): try expect("false", .false)
            case UInt8(ascii: "n"): try expect("null", .null)
            default: try parseNumber()
            }
        }

        mutating func parseContainer(object: Bool, depth: Int) throws {
            let index = nodes.count
            nodes.append(Node(kind: object ? .object : .array, start: Int32(offset), end: 0, count: 0))
            offset += 1
            let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
            var count: Int32 = 0
            skipWhitespace()
            if offset < input.count, input[offset] == close {
                offset += 1
            } else {
                while true {
                    if object {
                        skipWhitespace()
                        guard offset < input.count, input[offset] == UInt8(ascii: "\"") else { throw PayloadDecoderDeclined(reason: "member name expected") }
                        try parseString()
                        skipWhitespace()
                        guard offset < input.count, input[offset] == UInt8(ascii: ":") else { throw PayloadDecoderDeclined(reason: "':' expected") }
                        offset += 1
                        count += 1
                    }
                    try parseValue(depth: depth + 1)
                    count += 1
                    skipWhitespace()
                    guard offset < input.count else { throw PayloadDecoderDeclined(reason: "unexpected end") }
                    let byte = input[offset]
                    offset += 1
                    if byte == close { break }
                    guard byte == UInt8(ascii: ",") else { throw PayloadDecoderDeclined(reason: "',' expected") }
                }
            }
            nodes[index].count = count
            nodes[index].end = Int32(nodes.count)
        }

        mutating func parseString() throws {
            offset += 1  // the opening quote
            let start = offset
            var escaped = false
            while true {
                guard offset < input.count else { throw PayloadDecoderDeclined(reason: "unterminated string") }
                let byte = input[offset]
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 { throw PayloadDecoderDeclined(reason: "control character in string") }
                if byte == UInt8(ascii: "\\") {
                    // Checked here, not only when the string is read: a document with a bad
                    // escape in a member nobody reads is still not JSON.
                    escaped = true
                    guard offset + 1 < input.count else { throw PayloadDecoderDeclined(reason: "unterminated escape") }
                    switch input[offset + 1] {
                    case UInt8(ascii: "u"):
                        guard offset + 5 < input.count,
                              input[(offset + 2)...(offset + 5)].allSatisfy({ Self.isHexDigit($0) }) else {
                            throw PayloadDecoderDeclined(reason: "bad \\u escape")
                        }
                        offset += 6
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        offset += 2
                    default:
                        throw PayloadDecoderDeclined(reason: "bad escape")
                    }
                    continue
                }
                if byte >= 0x80 { escaped = true }  // validated as UTF-8 when unescaped
                offset += 1
            }
            if escaped {
                // Escapes (surrogates paired) and UTF-8 are checked here, for every string: a
                // document with a bad one in a member nobody reads is still not JSON, and
                // JSONDecoder refuses it whole.
                let text = try JSONDocument.unescape(input, start..<offset)
                guard String(validating: text, as: UTF8.self) != nil else { throw PayloadDecoderDeclined(reason: "invalid UTF-8") }
            }
            nodes.append(Node(kind: escaped ? .escapedString : .string, start: Int32(start), end: Int32(offset), count: 0))
            offset += 1
        }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }

        mutating func parseNumber() throws {
            let start = offset
            if offset < input.count, input[offset] == UInt8(ascii: "-") { offset += 1 }
            let digits = offset
            while offset < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[offset]) { offset += 1 }
            guard offset > digits else { throw PayloadDecoderDeclined(reason: "bad number") }
            if input[digits] == UInt8(ascii: "0"), offset - digits > 1 { throw PayloadDecoderDeclined(reason: "leading zero") }
            if offset < input.count, input[offset] == UInt8(ascii: ".") {
                offset += 1
                let fraction = offset
                while offset < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[offset]) { offset += 1 }
                guard offset > fraction else { throw PayloadDecoderDeclined(reason: "bad fraction") }
            }
            if offset < input.count, input[offset] == UInt8(ascii: "e") || input[offset] == UInt8(ascii: "E") {
                offset += 1
                if offset < input.count, input[offset] == UInt8(ascii: "+") || input[offset] == UInt8(ascii: "-") { offset += 1 }
                let exponent = offset
                while offset < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[offset]) { offset += 1 }
                guard offset > exponent else { throw PayloadDecoderDeclined(reason: "bad exponent") }
            }
            nodes.append(Node(kind: .number, start: Int32(start), end: Int32(offset), count: 0))
        }
    }
}
