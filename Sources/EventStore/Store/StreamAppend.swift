import Foundation

/// Events for one stream with the version the caller expects it to be at.
///
/// A list of these is one atomic append: all streams get their events, or none does.
/// The same stream may appear more than once in one append; each occurrence's expected version is
/// checked against the stream as the earlier occurrences left it. `metadata`, when set, replaces the
/// append's metadata for these events: a batched import of many commands keeps each command's actor
/// and source while committing them together.
public struct StreamAppend: Sendable, Equatable {
    public var stream: String
    public var expected: ExpectedVersion
    public var events: [ProposedEvent]
    public var metadata: AppendMetadata?

    public init(stream: String, expected: ExpectedVersion, events: [ProposedEvent], metadata: AppendMetadata? = nil) {
        self.stream = stream
        self.expected = expected
        self.events = events
        self.metadata = metadata
    }
}

/// Who, from where and why: the envelope fields shared by every event of one append.
public struct AppendMetadata: Sendable, Equatable {
    public var actor: Actor
    public var source: Source
    public var correlationId: UUID
    public var causationId: UUID?
    public var reason: String?

    public init(actor: Actor, source: Source, correlationId: UUID = UUID(), causationId: UUID? = nil, reason: String? = nil) {
        self.actor = actor
        self.source = source
        self.correlationId = correlationId
        self.causationId = causationId
        self.reason = reason
    }
}

/// What an append did to one stream.
public struct AppendResult: Sendable, Equatable {
    public var stream: String
    /// Global positions of the events, in order.
    public var positions: [UInt64]
    /// The stream's version after its last event: the `.exact` to expect next.
    public var streamVersion: UInt64
    /// True when every event was already stored by an earlier identical append (an idempotent retry).
    public var wasAlreadyStored: Bool

    public init(stream: String, positions: [UInt64], streamVersion: UInt64, wasAlreadyStored: Bool) {
        self.stream = stream
        self.positions = positions
        self.streamVersion = streamVersion
        self.wasAlreadyStored = wasAlreadyStored
    }
}
