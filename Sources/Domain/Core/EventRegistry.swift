import EventStore
import Foundation

/// Maps stored type names to payload types, upcasts older schema versions, and encodes payloads as
/// the JSON bytes the log stores (keys sorted, dates ISO-8601 with milliseconds, so equal events
/// give equal bytes and an idempotent retry is recognised).
public struct EventRegistry: Sendable {
    /// Lifts the JSON of `eventType` from `fromVersion` to `fromVersion + 1`.
    public struct Upcaster: Sendable {
        public let eventType: String
        public let fromVersion: UInt16
        public let transform: @Sendable ([String: any Sendable]) throws -> [String: any Sendable]

        public init(eventType: String, fromVersion: UInt16, transform: @escaping @Sendable ([String: any Sendable]) throws -> [String: any Sendable]) {
            self.eventType = eventType
            self.fromVersion = fromVersion
            self.transform = transform
        }
    }

    /// A stored event this registry cannot read.
    public enum DecodingFailure: Error, Equatable, CustomStringConvertible {
        case unknownType(String)
        case newerVersion(type: String, stored: UInt16, known: UInt16)
        case missingUpcaster(type: String, from: UInt16)
        case malformed(type: String, reason: String)

        public var description: String {
            switch self {
            case .unknownType(let type): "unknown event type \(type)"
            case .newerVersion(let type, let stored, let known): "\(type) v\(stored) is newer than this build's v\(known)"
            case .missingUpcaster(let type, let from): "no upcaster for \(type) from v\(from)"
            case .malformed(let type, let reason): "\(type) data is malformed: \(reason)"
            }
        }
    }

    private let types: [String: any DomainEvent.Type]
    private let upcasters: [String: [UInt16: Upcaster]]

    public init(types: [any DomainEvent.Type], upcasters: [Upcaster] = []) {
        var byName: [String: any DomainEvent.Type] = [:]
        for type in types {
            precondition(byName[type.eventType] == nil, "event type \(type.eventType) registered twice")
            byName[type.eventType] = type
        }
        self.types = byName
        var casters: [String: [UInt16: Upcaster]] = [:]
        for caster in upcasters { casters[caster.eventType, default: [:]][caster.fromVersion] = caster }
        self.upcasters = casters
    }

    /// Whether `type` is a domain event this registry knows.
    public func knows(_ type: String) -> Bool { types[type] != nil }

    /// Every registered type name, sorted.
    public var typeNames: [String] { types.keys.sorted() }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO-8601 time")
            }
            return date
        }
        return decoder
    }()

    /// The proposed log event for a payload, with a caller-chosen id (deterministic ids make
    /// imports idempotent).
    public func encode(_ event: any DomainEvent, id: UUID = UUID()) throws -> ProposedEvent {
        ProposedEvent(id: id, type: event.eventType, schemaVersion: type(of: event).schemaVersion,
                      data: Array(try Self.encoder.encode(event)))
    }

    /// The payload of a stored event, upcast to the current schema version.
    public func decode(_ recorded: RecordedEvent) throws(DecodingFailure) -> any DomainEvent {
        try decode(type: recorded.type, version: recorded.schemaVersion, data: recorded.data)
    }

    public func decode(type name: String, version: UInt16, data: [UInt8]) throws(DecodingFailure) -> any DomainEvent {
        guard let type = types[name] else { throw .unknownType(name) }
        var bytes = Data(data)
        if version != type.schemaVersion {
            guard version < type.schemaVersion else { throw .newerVersion(type: name, stored: version, known: type.schemaVersion) }
            do {
                guard var object = try JSONSerialization.jsonObject(with: bytes) as? [String: any Sendable] else {
                    throw DecodingFailure.malformed(type: name, reason: "not a JSON object")
                }
                for from in version..<type.schemaVersion {
                    guard let caster = upcasters[name]?[from] else { throw DecodingFailure.missingUpcaster(type: name, from: from) }
                    object = try caster.transform(object)
                }
                bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            } catch let failure as DecodingFailure {
                throw failure
            } catch {
                throw .malformed(type: name, reason: "\(error)")
            }
        }
        do { return try Self.decoder.decode(type, from: bytes) } catch {
            throw .malformed(type: name, reason: "\(error)")
        }
    }
}

/// ISO-8601 UTC timestamps with milliseconds, the one textual time format of the domain.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)) { return date }
        return try? Date(text, strategy: .iso8601)
    }
}
