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
    /// The id of the event the stream must end with when these are appended (its event at an
    /// `.exact` expected version), or nil for no such check.
    ///
    /// Why: a caller that decides on top of an append still in the writer's queue (a pipelined
    /// command on a busy stream) expects the version that append leaves. Should that append fail
    /// while another writer adds as many events to the stream, the version alone would match a
    /// history the decision never saw; the id does not, and the append is refused with
    /// `.wrongExpectedVersion` like any lost race.
    public var lastEventId: UUID?

    public init(stream: String, expected: ExpectedVersion, events: [ProposedEvent], metadata: AppendMetadata? = nil,
                lastEventId: UUID? = nil) {
        self.stream = stream
        self.expected = expected
        self.events = events
        self.metadata = metadata
        self.lastEventId = lastEventId
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
