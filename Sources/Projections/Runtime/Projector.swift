import Domain
import EventStore

/// A read model's definition: a value that folds log events, in position order, into its own
/// tables.
///
/// The runtime (`ProjectorRunner`) gives each projector its own task, its own LMDB environment
/// and its own checkpoint; `apply` is called once per event, inside the write transaction that
/// also records the checkpoint, so a crash can neither apply an event twice nor skip one.
/// `apply` must be deterministic: a function of the events alone (never of the wall clock), so
/// that a rebuild reproduces the read model byte for byte.
public protocol Projector: Sendable {
    /// Stable name; directories, status and the API address the read model by it.
    var name: String { get }
    /// Bumped whenever `apply` or a rule set it uses changes meaning; a stored read model of
    /// another version is rebuilt in the background and swapped in when it has caught up.
    var version: Int { get }
    /// Names of the tables `apply` writes.
    var tables: [String] { get }
    /// The event types `apply` reads, so the runner neither reads nor decodes the others; nil
    /// for every event (the audit index).
    var eventTypes: Set<String>? { get }
    /// False when `apply` reads only envelopes (the audit index), so payloads are not decoded.
    var decodesPayloads: Bool { get }
    /// Folds one event into the read model.
    func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws
}

extension Projector {
    public var decodesPayloads: Bool { true }

    /// Whether the read model keeps personal values: a projector that folds `SubjectErased`
    /// replaces an erased subject's values with the marker there, and the runtime then rebuilds its
    /// generation from the log so that no page of the old file (LMDB leaves replaced pages in the
    /// file until it reuses them) still holds what was erased.
    public var keepsPersonalData: Bool { eventTypes?.contains(SubjectErased.eventType) ?? false }
}
