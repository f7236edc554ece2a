import CLMDB
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
/// `read(2)`, by a name no method shadows.
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

extension ReadOnlyEnvironment {
    /// Writes a compacted copy of the environment's data file to `descriptor` (a file or a pipe,
    /// written sequentially from its current offset): LMDB's `mdb_env_copyfd2` with
    /// `MDB_CP_COMPACT`, which copies inside one read transaction, so the copy is one consistent
    /// snapshot even while the owner appends, and leaves out free pages, so it is as small as the
    /// live data. The descriptor is not closed.
    public func copyCompacted(to descriptor: Int32) throws(EventStoreError) {
        var rc = mdb_env_copyfd2(env.env, descriptor, UInt32(MDB_CP_COMPACT))
        if rc == MDB_MAP_RESIZED {
            // The owner grew the map since we opened; the copy failed at its first step (beginning
            // its read transaction), before writing anything, so it can start over.
            do { try env.adoptGrownMap() } catch { throw .storage("\(directory): \(error)") }
            rc = mdb_env_copyfd2(env.env, descriptor, UInt32(MDB_CP_COMPACT))
        }
        guard rc == MDB_SUCCESS else {
            throw .storage("compacting copy of \(directory) failed: \(LMDBError(operation: "mdb_env_copyfd2", code: rc))")
        }
    }

    /// The compacted copy of `copyCompacted(to:)`, handed to `consume` in chunks as LMDB produces
    /// it (through a pipe, LMDB copying on a thread of its own), so a caller can hash it, count it
    /// for a progress bar and write it where it likes in one pass. Returns the bytes copied.
    ///
    /// If `consume` throws, the pipe is closed, LMDB's copy stops on `EPIPE` (the copying thread
    /// blocks `SIGPIPE`, so the process is not killed) and the error is rethrown.
    @discardableResult
    public func copyCompacted(chunkSize: Int = 1 << 20, into consume: (UnsafeRawBufferPointer) throws -> Void) throws -> UInt64 {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw EventStoreError.storage("pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let outcome = Mutex<EventStoreError?>(nil)
        let copier = JoinableThread(name: "crm-env-copy") { [self] in
            // A write to a pipe whose reader has gone raises SIGPIPE in the writing thread; blocked
            // here (and in the writer thread LMDB starts, which inherits the mask), the write fails
            // with EPIPE instead of ending the process.
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            do { try copyCompacted(to: writeEnd) } catch { outcome.withLock { $0 = (error as? EventStoreError) ?? .storage("\(error)") } }
            close(writeEnd)
        }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var total: UInt64 = 0
        var failure: (any Error)?
        while failure == nil {
            let count = buffer.withUnsafeMutableBytes { systemRead(readEnd, $0.baseAddress, chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = EventStoreError.storage("reading the copy of \(directory): \(String(cString: strerror(errno)))")
                break
            }
            if count == 0 { break }
            total += UInt64(count)
            do { try buffer.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[..<count])) } } catch { failure = error }
        }
        close(readEnd)
        copier.join()
        if let failure { throw failure }
        if let error = outcome.withLock({ $0 }) { throw error }
        return total
    }
}
