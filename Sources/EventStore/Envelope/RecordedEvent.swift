import Foundation

/// A stored, immutable event with its full envelope: what every reader, projector and auditor sees.
public struct RecordedEvent: Sendable, Equatable {
    /// Gap-free position in the global log, starting at 1.
    public var position: UInt64
    public var id: UUID
    public var type: String
    public var schemaVersion: UInt16
    public var stream: String
    /// 1 for a stream's first event.
    public var streamVersion: UInt64
    /// Milliseconds since the Unix epoch (UTC); never decreases along the log.
    public var recordedAt: Int64
    public var actor: Actor
    public var source: Source
    /// Groups every event caused by one request.
    public var correlationId: UUID
    /// The event or command that caused this one, if any.
    public var causationId: UUID?
    /// Why the actor did it, when a reason was given (required for some commands).
    public var reason: String?
    public var data: [UInt8]
    public var sealed: SealedData?
    /// `SHA-256(previous hash ‖ canonical bytes of this envelope)`.
    public var hash: SHA256Digest

    /// The recorded time as a `Date`.
    public var recordedDate: Date { Date(timeIntervalSince1970: Double(recordedAt) / 1000) }

    /// Decodes the JSON data.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder.events.decode(T.self, from: Data(data))
    }
}

/// The part of an envelope that can be read without touching the event data.
public struct EventHeader: Sendable, Equatable {
    public var position: UInt64
    public var id: UUID
    public var type: String
    public var schemaVersion: UInt16
    public var stream: String
    public var streamVersion: UInt64
    public var recordedAt: Int64
    public var actor: Actor
    public var dataCount: Int
}

extension JSONDecoder {
    /// The decoder every reader of event data uses.
    static let events: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
