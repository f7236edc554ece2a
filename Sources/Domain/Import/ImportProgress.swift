/// How far an import has come; reported after every batch and at the end.
public struct ImportProgress: Sendable, Equatable {
    /// Commands read from the file.
    public var commands = 0
    /// Commands whose events were appended.
    public var applied = 0
    /// Commands already in the log from an earlier import of the same file (skipped).
    public var alreadyImported = 0
    /// Commands a rule refused, by `DomainError.code`.
    public var rejected: [String: Int] = [:]
    /// Events appended.
    public var events = 0
    /// Bytes of the file read so far, and its size (for rate and ETA).
    public var bytesRead: Int64 = 0
    public var totalBytes: Int64 = 0

    /// Where the time went: reading and decoding lines, deciding commands, appending batches
    /// (durable commits). Lets a benchmark say what limits the import rate.
    public var decodeTime: Duration = .zero
    public var decideTime: Duration = .zero
    public var appendTime: Duration = .zero

    public init() {}

    public var rejectedCount: Int { rejected.values.reduce(0, +) }
}
