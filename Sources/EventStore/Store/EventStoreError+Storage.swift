import CLMDB
import Foundation

extension EventStoreError {
    /// Below this many free bytes on the filesystem, an `EIO` from a write is taken for a full disk.
    static let fullDiskThreshold = 4 << 20

    /// The store's error for a failed LMDB call on `environment`: `.insufficientStorage` when the
    /// filesystem (or the map) is full, `.storage` for anything else.
    ///
    /// A full disk reaches us three ways: `ENOSPC` or `EDQUOT` from a write, and `EIO` from a
    /// *short* write. A regular file's `pwrite` that runs out of space half-way returns the bytes
    /// it did write, and LMDB's page flush turns any short write into `EIO` ("short write,
    /// filesystem full?"). So an `EIO` counts as a full disk when the filesystem holding the
    /// environment has almost nothing left right after it (`fstatvfs` on the data file); a real
    /// device error on a disk with room stays a `.storage` failure.
    init(lmdb error: any Error, in environment: LMDBEnvironment) {
        guard let failure = error as? LMDBError else {
            self = (error as? EventStoreError) ?? .storage("\(error)")
            return
        }
        switch failure.code {
        case ENOSPC, EDQUOT:
            self = .insufficientStorage("the filesystem holding \(environment.path) is full (\(failure))")
        case MDB_MAP_FULL:
            self = .insufficientStorage("the map of \(environment.path) is full at \(environment.mapSize) bytes (\(failure))")
        case EIO:
            if let free = environment.freeBytesOnFilesystem(), free < Self.fullDiskThreshold {
                self = .insufficientStorage(
                    "a write to \(environment.path) came up short with \(free) bytes left on its filesystem (\(failure))")
            } else {
                self = .storage(failure.description)
            }
        default:
            self = .storage(failure.description)
        }
    }
}

extension LMDBEnvironment {
    /// The environment's directory, as LMDB knows it.
    var path: String {
        var pointer: UnsafePointer<CChar>?
        guard mdb_env_get_path(env, &pointer) == MDB_SUCCESS, let pointer else { return "the LMDB environment" }
        return String(cString: pointer)
    }

    /// Bytes an unprivileged writer could still allocate on the filesystem of the data file; nil
    /// when that cannot be asked.
    func freeBytesOnFilesystem() -> Int? {
        var fd: Int32 = -1
        guard mdb_env_get_fd(env, &fd) == MDB_SUCCESS, fd >= 0 else { return nil }
        var facts = statvfs()
        guard fstatvfs(fd, &facts) == 0 else { return nil }
        return Int(facts.f_bavail) * Int(facts.f_frsize)
    }
}
