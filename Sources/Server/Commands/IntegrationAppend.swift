import Domain
import EventStore
import Foundation

/// A checked append to one integration stream, parsed from the JSON of
/// `POST /v1/streams/{stream}/events` or one element of `POST /v1/streams/batch`:
/// `{"expectedVersion": n | "any" | "none" | "exists", "events": [{"id", "type", "data", "schemaVersion"?}]}`.
///
/// Integration streams carry what outside systems report (web-shop orders, telephony logs). They
/// share the log's envelope, chain and audit metadata, but must never write a domain record's
/// stream or a domain event type: aggregates and projectors would fold them as if a command had
/// decided them. So a stream must be named `ext-<name>` and an event type must not be one the
/// domain registry knows — except the known integration types (`IntegrationEvents`), which no
/// aggregate folds and projections read, and whose data must decode as their type.
struct IntegrationAppend: Sendable, Equatable {
    var append: StreamAppend

    /// The prefix every integration stream has; no domain category starts with it.
    static let streamPrefix = "ext-"
    /// At most this many events per stream per request, and streams per batch.
    static let maxEvents = 1000
    static let maxStreams = 100

    /// Refuses a stream integrations may not write: 422 `reserved-stream`.
    static func checkStream(_ stream: String) throws {
        guard stream.hasPrefix(streamPrefix), stream.count > streamPrefix.count else {
            var error = APIError(.reservedStream, "integrations may append only to streams named \(streamPrefix)<name>, not '\(stream)'")
            error.record = stream
            throw error
        }
    }

    /// Parses `value` (at `prefix` in the body, for naming members) for `stream`; collects every
    /// offending member in `problems` and returns nil when there is one.
    static func parse(_ value: JSONValue, stream: String, at prefix: String, problems: inout [APIError.FieldProblem]) -> IntegrationAppend? {
        func path(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }
        guard case .object(let members) = value else {
            problems.append(.init(field: prefix.isEmpty ? "body" : prefix, reason: "must be an object"))
            return nil
        }
        let before = problems.count
        for key in members.keys.sorted() where !["expectedVersion", "events", "stream"].contains(key) || (key == "stream" && prefix.isEmpty) {
            problems.append(.init(field: path(key), reason: "unknown field"))
        }
        var expected = ExpectedVersion.any
        switch members["expectedVersion"] {
        case .number(let number)? where number >= 0 && number == number.rounded() && number < 9e15: expected = .exact(UInt64(number))
        case .string("any")?: expected = .any
        case .string("none")?: expected = .noStream
        case .string("exists")?: expected = .streamExists
        case nil, .null?: problems.append(.init(field: path("expectedVersion"), reason: "required"))
        default: problems.append(.init(field: path("expectedVersion"), reason: #"must be a stream version, "any", "none" or "exists""#))
        }
        var events: [ProposedEvent] = []
        switch members["events"] {
        case .array(let items)? where !items.isEmpty && items.count <= maxEvents:
            for (index, item) in items.enumerated() {
                if let event = parseEvent(item, at: path("events[\(index)]"), problems: &problems) { events.append(event) }
            }
        case .array?: problems.append(.init(field: path("events"), reason: "must hold 1 to \(maxEvents) events"))
        case nil, .null?: problems.append(.init(field: path("events"), reason: "required"))
        default: problems.append(.init(field: path("events"), reason: "must be an array"))
        }
        guard problems.count == before else { return nil }
        return IntegrationAppend(append: StreamAppend(stream: stream, expected: expected, events: events))
    }

    private static func parseEvent(_ value: JSONValue, at prefix: String, problems: inout [APIError.FieldProblem]) -> ProposedEvent? {
        guard case .object(let members) = value else {
            problems.append(.init(field: prefix, reason: "must be an object"))
            return nil
        }
        let before = problems.count
        for key in members.keys.sorted() where !["id", "type", "data", "schemaVersion"].contains(key) {
            problems.append(.init(field: "\(prefix).\(key)", reason: "unknown field"))
        }
        var id: UUID?
        if case .string(let text)? = members["id"], let parsed = UUID(uuidString: text) { id = parsed } else {
            problems.append(.init(field: "\(prefix).id", reason: "required: a UUID, which makes retries idempotent"))
        }
        var type = ""
        if case .string(let text)? = members["type"], !text.isEmpty, text.utf8.count <= 200 {
            type = text
            if EventRegistry.domain.knows(text), !IntegrationEvents.isIntegrationType(text) {
                problems.append(.init(field: "\(prefix).type", reason: "'\(text)' is a domain event type; integrations may not write it"))
            }
        } else {
            problems.append(.init(field: "\(prefix).type", reason: "required: a non-empty string of at most 200 bytes"))
        }
        var version: UInt16 = 1
        switch members["schemaVersion"] {
        case nil, .null?: break
        case .number(let number)? where number >= 1 && number <= 65535 && number == number.rounded(): version = UInt16(number)
        default: problems.append(.init(field: "\(prefix).schemaVersion", reason: "must be an integer from 1 to 65535"))
        }
        var data: [UInt8] = []
        if case .object? = members["data"], let encoded = try? JSONBody.encode(members["data"]) {
            data = encoded
            // Projections fold a known integration type: its data must decode as that type.
            if IntegrationEvents.isIntegrationType(type) {
                do {
                    _ = try EventRegistry.domain.decode(type: type, version: version, data: data)
                } catch {
                    problems.append(.init(field: "\(prefix).data", reason: "is not a valid \(type) (schema version \(version)): \(error)"))
                }
            }
        } else {
            problems.append(.init(field: "\(prefix).data", reason: "required: a JSON object"))
        }
        guard problems.count == before, let id else { return nil }
        return ProposedEvent(id: id, type: type, schemaVersion: version, data: data)
    }
}
