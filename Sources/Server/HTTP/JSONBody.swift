import EventStore
import Foundation

/// How the API writes JSON: keys sorted, slashes unescaped, so equal answers are equal bytes.
enum JSONBody {
    /// The bytes of `value`, as `foundationEncoder` writes them (`SortedJSONEncoder` writes them
    /// without `JSONEncoder`'s cost and hands it what it does not write itself).
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        try encoder.encode(value)
    }

    /// Times in answers are ISO-8601 UTC with milliseconds, like every other time the API shows.
    static func time(_ date: Date) -> String {
        RecordedEvent.iso8601(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    private static let encoder = SortedJSONEncoder(dateFormat: time, fallback: foundationEncoder)

    /// `JSONEncoder` configured as the API writes JSON.
    @Sendable static func foundationEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(time(date))
        }
        return encoder
    }
}

/// Builds a JSON object member by member in the order given, for answers that embed events in
/// their one JSON representation (`RecordedEvent.json`), which `Encodable` cannot splice in.
struct JSONObjectBuilder {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isEmpty = true

    /// Adds `key` with `value` encoded as `JSONBody` does (`nil` becomes `null`).
    mutating func add(_ key: String, _ value: some Encodable) throws {
        try addKey(key)
        bytes.append(contentsOf: try JSONBody.encode(value))
    }

    /// Adds `key` with an array of events.
    mutating func add(_ key: String, events: [RecordedEvent]) throws {
        try addKey(key)
        bytes.append(UInt8(ascii: "["))
        for (index, event) in events.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            event.appendJSON(to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The finished object.
    func build() -> [UInt8] {
        bytes + [UInt8(ascii: "}")]
    }

    private mutating func addKey(_ key: String) throws {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
        bytes.append(contentsOf: try JSONBody.encode(key))
        bytes.append(UInt8(ascii: ":"))
    }
}
