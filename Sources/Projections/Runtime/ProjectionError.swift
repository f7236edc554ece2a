/// Why a projection could not be built or read.
public enum ProjectionError: Error, Equatable, CustomStringConvertible {
    /// A projector addressed a table it did not declare in `tables`.
    case unknownTable(String)
    /// A value was read back as another type than it was written.
    case typeMismatch(table: String, key: String)
    /// No projector of that name is registered.
    case unknownProjector(String)
    /// The projector stopped on an event and waits for a fix.
    case parked(projector: String, position: UInt64, reason: String)
    /// The read model did not reach the position in time.
    case notYetReflected(projector: String, wanted: UInt64, reached: UInt64)
    /// A stored read model could not be opened or written.
    case storage(String)
    /// An as-of or replay request names a position outside the log.
    case positionOutOfRange(requested: UInt64, head: UInt64)

    public var description: String {
        switch self {
        case .unknownTable(let name): "table \(name) is not declared by its projector"
        case .typeMismatch(let table, let key): "\(table)[\(key)] holds another type"
        case .unknownProjector(let name): "no projector named \(name)"
        case .parked(let name, let position, let reason): "projector \(name) is parked at position \(position): \(reason)"
        case .notYetReflected(let name, let wanted, let reached): "\(name) reflects position \(reached), not yet \(wanted)"
        case .storage(let message): "read-model storage: \(message)"
        case .positionOutOfRange(let requested, let head): "position \(requested) is outside the log (head \(head))"
        }
    }
}
