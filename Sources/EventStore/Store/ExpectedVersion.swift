/// What the caller believes about a stream before appending: the optimistic-concurrency check.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// No check.
    case any
    /// The stream must not exist yet (its first event will be version 1).
    case noStream
    /// The stream must have at least one event.
    case streamExists
    /// The stream's current version must be exactly `n` (0 means no stream).
    case exact(UInt64)

    /// Whether a stream whose current version is `actual` (0 = no stream) satisfies this.
    func isSatisfied(by actual: UInt64) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == 0
        case .streamExists: actual > 0
        case .exact(let n): actual == n
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .streamExists: "stream exists"
        case .exact(let n): "version \(n)"
        }
    }
}
