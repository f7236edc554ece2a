import Foundation

/// Every way the event store refuses a request or fails. Each case names the ids involved so the
/// caller (the HTTP layer, the command line) can say precisely what went wrong.
public enum EventStoreError: Error, Equatable, CustomStringConvertible {
    /// The optimistic-concurrency check failed; nothing was written. `actual` 0 means no stream.
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: UInt64)
    /// An event id is already stored with different content (or only part of a batch was stored
    /// before): the append is not a retry of the earlier one; nothing was written.
    case eventIdConflict(id: UUID, storedAt: UInt64)
    /// The append itself is malformed (empty, too long a name, duplicate ids within it…).
    case invalidAppend(String)
    /// The data directory does not exist.
    case missingDirectory(String)
    /// The directory exists but holds something that is not this store's format.
    case notAnEventStore(path: String, reason: String)
    /// Another process holds the directory's lock.
    case locked(path: String, holder: String)
    /// The store was closed; no more appends are accepted.
    case closed
    /// An I/O or LMDB failure (permissions, a failing device…).
    case storage(String)
    /// The filesystem holding the store is full (`ENOSPC`, `EDQUOT`, or a short write on a full
    /// disk), or the map reached `maxMapSize`. Distinct from `.storage` because it is the one
    /// storage failure a client can wait out: the transaction was rolled back, nothing of the
    /// request was written, the store stays usable, and the same request succeeds once space is
    /// freed (the HTTP API answers 507).
    case insufficientStorage(String)
    /// A stored record could not be decoded.
    case corrupt(position: UInt64, reason: String)
    /// The append carries personal data sealed for a data subject whose erasure has begun (a
    /// command decided just before the erasure); nothing was written.
    case subjectErased(String)

    public var description: String {
        switch self {
        case .wrongExpectedVersion(let stream, let expected, let actual):
            "stream '\(stream)' expected at \(expected) but is at \(actual == 0 ? "no stream" : "version \(actual)")"
        case .eventIdConflict(let id, let position):
            "event id \(id) is already stored at position \(position) with different content"
        case .invalidAppend(let reason): "invalid append: \(reason)"
        case .missingDirectory(let path): "no event store at \(path): directory does not exist"
        case .notAnEventStore(let path, let reason): "\(path) is not a CRM event store: \(reason)"
        case .locked(let path, let holder): "\(path) is in use by another process (\(holder)); stop it first"
        case .closed: "the event store is closed"
        case .storage(let message): "storage failure: \(message)"
        case .insufficientStorage(let message): "insufficient storage: \(message)"
        case .corrupt(let position, let reason): "stored event at position \(position) is corrupt: \(reason)"
        case .subjectErased(let subject): "data subject \(subject) was erased; it cannot hold new personal data"
        }
    }
}
