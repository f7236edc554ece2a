import Foundation

/// An event a caller wants appended: everything the caller decides. Position, stream version,
/// recorded time and hash are assigned by the store.
public struct ProposedEvent: Sendable, Equatable {
    /// Chosen by the caller so that a retried append is recognised (idempotency by event id).
    /// Prefer time-ordered ids (`UUID.timeOrdered()`, the default): random ones scatter the
    /// event-id index and cost a dirty page per event.
    public var id: UUID
    /// The stable event type name (`CustomerRegistered`).
    public var type: String
    /// The schema version of `data`, for upcasting older events.
    public var schemaVersion: UInt16
    /// The event's public data, JSON-encoded.
    public var data: [UInt8]
    /// Personal data sealed for a data subject; see `SealedData`.
    public var sealed: SealedData?

    public init(id: UUID = .timeOrdered(), type: String, schemaVersion: UInt16 = 1, data: [UInt8], sealed: SealedData? = nil) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.sealed = sealed
    }

    /// Encodes `value` as JSON data (keys sorted, so equal values give equal bytes and a retry is
    /// recognised as the same event).
    public init<T: Encodable>(id: UUID = .timeOrdered(), type: String, schemaVersion: UInt16 = 1, encoding value: T, sealed: SealedData? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        self.init(id: id, type: type, schemaVersion: schemaVersion, data: Array(try encoder.encode(value)), sealed: sealed)
    }
}

/// The place reserved in every envelope for personal data encrypted per data subject.
///
/// The store treats `ciphertext` as opaque bytes and hashes them into the chain like any other
/// stored byte. Erasing a subject destroys the subject's key elsewhere, never these bytes, so
/// erasure leaves the chain intact. The public `data` of the event holds no personal values.
public struct SealedData: Sendable, Equatable {
    /// The data subject whose key sealed the bytes (a customer or contact id).
    public var subject: String
    /// AES-256-GCM output (nonce ‖ ciphertext ‖ tag) with the event id as associated data.
    public var ciphertext: [UInt8]
    /// The slot of the data key in `<data>/keys` (keys created ahead in bulk, so a new subject costs
    /// no synced write of its own); nil for the keys of earlier versions, stored by subject. The log
    /// indexes subject → slot in the append's own transaction, which is how erasure finds every
    /// slot of a subject.
    public var keySlot: UInt64?

    public init(subject: String, ciphertext: [UInt8], keySlot: UInt64? = nil) {
        self.subject = subject
        self.ciphertext = ciphertext
        self.keySlot = keySlot
    }
}
