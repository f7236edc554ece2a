/// Exclusive use of a data directory without opening its log: the same `flock` on
/// `<data>/crm.lock` that an open `EventStore` holds, for the commands that replace the log's
/// environment wholesale (`crm restore`, `crm compact`) and so must be sure no store has it open,
/// and that no store opens it while they work. Released when the lease is deallocated.
///
/// A store cannot be opened on the same directory while this process holds the lease (`flock`
/// locks belong to the open file, not the process): work on copies elsewhere, or read-only.
public final class DataDirectoryLease: Sendable {
    /// The directory leased.
    public let directory: String
    private let lock: DirectoryLock

    /// Takes the lock, creating `crm.lock` (the directory must exist).
    ///
    /// - Throws: `.locked` naming the holder when a store or another lease has the directory.
    public init(directory: String) throws(EventStoreError) {
        self.directory = directory
        lock = try DirectoryLock(directory: directory)
    }
}
