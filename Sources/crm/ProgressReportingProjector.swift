import Projections
import Synchronization

/// A projector that forwards everything to `base` and remembers the position of the last event
/// it applied, so a command can draw a progress bar over a fold it does not drive itself (the
/// scratch replay of `crm replay` runs inside the projection engine). The stored read model is
/// the base projector's, byte for byte: name, version, tables and types are its own.
struct ProgressReportingProjector: Projector {
    let base: any Projector
    let reached: PositionTracker

    var name: String { base.name }
    var version: Int { base.version }
    var tables: [String] { base.tables }
    var eventTypes: Set<String>? { base.eventTypes }
    var decodesPayloads: Bool { base.decodesPayloads }

    func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        try base.apply(event, to: &batch)
        reached.advance(to: event.position)
    }
}

/// The furthest position seen, shared between the folding task and the one drawing progress.
final class PositionTracker: Sendable {
    private let position = Atomic<UInt64>(0)

    var current: UInt64 { position.load(ordering: .relaxed) }

    func advance(to value: UInt64) {
        position.max(value, ordering: .relaxed)
    }
}
