import Foundation

extension RecordedEvent {
    /// The one JSON representation of an envelope, shared by `crm log` (one object per line) and the
    /// HTTP API.
    ///
    /// Keys come in a fixed order: `position`, `id`, `type`, `schemaVersion`, `stream`,
    /// `streamVersion`, `recordedAt` (ISO-8601 UTC with milliseconds), `recordedAtMs`, `actor`
    /// (`id`, `role`), `source` (`clientAddress`, `userAgent`, `host`), `correlationId`,
    /// `causationId` (null when none), `reason` (null when none), then `data`, `sealed` (only when
    /// present: `subject`, `ciphertextBase64`) and `hash` (hex). UUIDs are lower case.
    ///
    /// The event data is embedded as JSON, with its key order and number spelling kept and
    /// insignificant whitespace removed, so the object always fits on one line. Data that is not
    /// valid UTF-8 JSON is emitted as base64 under `dataBase64` instead of `data`.
    ///
    /// Complexity: O(size of the envelope).
    public var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 480 + stream.utf8.count + (sealed?.ciphertext.count ?? 0) * 4 / 3)
        appendJSON(to: &out)
        return out
    }

    /// Appends `json` to `out`, for callers that assemble many events into one buffer.
    public func appendJSON(to out: inout [UInt8]) {
        var writer = EnvelopeJSONWriter(out: out)
        out = []  // let the writer own the only reference, so appends do not copy the buffer
        writer.open()
        writer.key("position"); writer.number(position)
        writer.key("id"); writer.uuid(id)
        writer.key("type"); writer.string(type)
        writer.key("schemaVersion"); writer.number(UInt64(schemaVersion))
        writer.key("stream"); writer.string(stream)
        writer.key("streamVersion"); writer.number(streamVersion)
        writer.key("recordedAt"); writer.string(Self.iso8601(milliseconds: recordedAt))
        writer.key("recordedAtMs"); writer.number(recordedAt)
        writer.key("actor")
        writer.open()
        writer.key("id"); writer.string(actor.id)
        writer.key("role"); writer.string(actor.role)
        writer.close()
        writer.key("source")
        writer.open()
        writer.key("clientAddress"); writer.string(source.clientAddress)
        writer.key("userAgent"); writer.string(source.userAgent)
        writer.key("host"); writer.string(source.host)
        writer.close()
        writer.key("correlationId"); writer.uuid(correlationId)
        writer.key("causationId"); if let causationId { writer.uuid(causationId) } else { writer.null() }
        writer.key("reason"); if let reason { writer.string(reason) } else { writer.null() }
        if let compact = CompactJSON.minified(data) {
            writer.key("data"); writer.raw(compact)
        } else {
            writer.key("dataBase64"); writer.string(Data(data).base64EncodedString())
        }
        if let sealed {
            writer.key("sealed")
            writer.open()
            writer.key("subject"); writer.string(sealed.subject)
            writer.key("ciphertextBase64"); writer.string(Data(sealed.ciphertext).base64EncodedString())
            writer.close()
        }
        writer.key("hash"); writer.string(hash.description)
        writer.close()
        out = writer.out
    }

    /// `milliseconds` since the Unix epoch as ISO-8601 in UTC with milliseconds
    /// (`2024-05-01T09:30:00.250Z`): how every time in the JSON representation is written.
    /// Exact for the whole `Int64` range of years that fit in four digits; no formatter or locale
    /// is involved.
    public static func iso8601(milliseconds: Int64) -> String {
        let (seconds, millis) = floorDivision(milliseconds, 1000)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = secondOfDay / 3600, minute = secondOfDay % 3600 / 60, second = secondOfDay % 60
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value.magnitude)
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    /// Division rounding toward negative infinity, with a remainder in `0..<divisor`. Computed from
    /// `/` and `%` alone: multiplying the quotient back overflowed for times near `Int64.min`
    /// (found by the libFuzzer drill, a stored record whose recorded time is `Int64.min`).
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = (value / divisor, value % divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date `days` after 1970-01-01.
    private static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Writes the envelope object; only what `appendJSON` needs (no pretty printing, no floats).
private struct EnvelopeJSONWriter {
    var out: [UInt8]
    /// Whether the innermost open object has a member yet (a comma goes before the next key).
    private var hasMember: [Bool] = []

    init(out: [UInt8]) {
        self.out = out
    }

    mutating func open() {
        out.append(UInt8(ascii: "{"))
        hasMember.append(false)
    }

    mutating func close() {
        out.append(UInt8(ascii: "}"))
        hasMember.removeLast()
    }

    mutating func key(_ name: StaticString) {
        if hasMember[hasMember.count - 1] { out.append(UInt8(ascii: ",")) }
        hasMember[hasMember.count - 1] = true
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func number(_ value: some BinaryInteger) {
        out.append(contentsOf: String(value).utf8)
    }

    mutating func null() {
        out.append(contentsOf: "null".utf8)
    }

    mutating func raw(_ bytes: [UInt8]) {
        out.append(contentsOf: bytes)
    }

    mutating func uuid(_ id: UUID) {
        string(id.uuidString.lowercased())
    }

    /// A JSON string, escaped as `JSONEncoder` escapes it (`JSONString`).
    mutating func string(_ value: String) {
        JSONString.append(value, to: &out)
    }
}

/// Validates JSON text (RFC 8259, any value at the top) and copies it without insignificant
/// whitespace, keeping key order, string escapes and number spelling exactly as stored.
private struct CompactJSON {
    /// Deeper nesting is treated as invalid, so hostile data cannot exhaust the stack.
    static let maxDepth = 256

    private let input: [UInt8]
    private var index = 0
    private var output: [UInt8] = []

    /// The compact text, or nil when `bytes` is not a single valid UTF-8 JSON value.
    static func minified(_ bytes: [UInt8]) -> [UInt8]? {
        guard !bytes.isEmpty, String(validating: bytes, as: UTF8.self) != nil else { return nil }
        var parser = CompactJSON(input: bytes)
        parser.output.reserveCapacity(bytes.count)
        guard parser.value(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.index == bytes.count ? parser.output : nil
    }

    private init(input: [UInt8]) {
        self.input = input
    }

    private var current: UInt8? { index < input.count ? input[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    /// Consumes `byte` (after whitespace) and copies it.
    private mutating func expect(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard current == byte else { return false }
        output.append(byte)
        index += 1
        return true
    }

    private mutating func value(depth: Int) -> Bool {
        skipWhitespace()
        guard let byte = current else { return false }
        switch byte {
        case UInt8(ascii: "{"): return depth < Self.maxDepth && object(depth: depth + 1)
        case UInt8(ascii: "["): return depth < Self.maxDepth && array(depth: depth + 1)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func object(depth: Int) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        if expect(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\""), string(), expect(UInt8(ascii: ":")), value(depth: depth) else { return false }
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "}"))
        }
    }

    private mutating func array(depth: Int) -> Bool {
        guard expect(UInt8(ascii: "[")) else { return false }
        if expect(UInt8(ascii: "]")) { return true }
        while true {
            guard value(depth: depth) else { return false }
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "]"))
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= input.count else { return false }
        let matches = word.withUTF8Buffer { $0.elementsEqual(input[index..<index + count]) }
        guard matches else { return false }
        output.append(contentsOf: input[index..<index + count])
        index += count
        return true
    }

    private mutating func string() -> Bool {
        let start = index
        index += 1  // the opening quote, checked by the caller
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                output.append(contentsOf: input[start..<index])
                return true
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = current else { return false }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    // A surrogate must come as a high-low pair: a lone one is not a character, and
                    // strict parsers (Foundation's among them) refuse the whole document (found by
                    // the libFuzzer drill).
                    guard let unit = codeUnit(at: index + 1) else { return false }
                    index += 5
                    if (0xDC00...0xDFFF).contains(unit) { return false }
                    if (0xD800...0xDBFF).contains(unit) {
                        guard current == UInt8(ascii: "\\"), index + 1 < input.count, input[index + 1] == UInt8(ascii: "u"),
                              let low = codeUnit(at: index + 2), (0xDC00...0xDFFF).contains(low) else { return false }
                        index += 6
                    }
                default:
                    return false
                }
            case 0x00..<0x20:
                return false
            default:
                index += 1
            }
        }
        return false
    }

    /// The UTF-16 code unit spelled by the four hex digits at `offset`, if they are there.
    private func codeUnit(at offset: Int) -> UInt16? {
        guard offset + 4 <= input.count else { return nil }
        var unit: UInt16 = 0
        for byte in input[offset..<offset + 4] {
            guard byte.isHexDigit else { return nil }
            let digit = byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : (byte | 0x20) - UInt8(ascii: "a") + 10
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    private mutating func number() -> Bool {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, first.isDigit else { return false }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            index += 1
            guard current?.isDigit == true else { return false }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard current?.isDigit == true else { return false }
            skipDigits()
        }
        output.append(contentsOf: input[start..<index])
        return true
    }

    private mutating func skipDigits() {
        while current?.isDigit == true { index += 1 }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
