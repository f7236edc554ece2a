import CLMDB
import Foundation

/// One occupied slot of an environment's reader table (`mdb_reader_list`).
///
/// A slot whose process is gone is *stale*: LMDB treats its snapshot as still in use, so the
/// pages that snapshot sees are never reused and the file grows instead. The store clears such
/// slots when it opens and every 30 seconds (`mdb_reader_check`); `crm doctor` reports them.
public struct ReaderSlot: Sendable, Codable, Equatable {
    public var pid: Int32
    /// The snapshot (transaction id) the reader holds; nil for a slot kept by a live process
    /// between transactions.
    public var transaction: UInt64?
    /// Whether a process with this pid exists (`kill(pid, 0)`).
    public var processAlive: Bool

    public var isStale: Bool { !processAlive }
}

extension ReadOnlyEnvironment {
    /// The occupied reader slots, read without clearing any (a diagnosis must not change what it
    /// diagnoses).
    public func readers() -> [ReaderSlot] {
        env.readerSlots()
    }
}

extension LMDBEnvironment {
    /// Parses `mdb_reader_list`'s lines: a header, then `pid thread txnid` per occupied slot (txnid
    /// `-` when the slot holds no snapshot).
    func readerSlots() -> [ReaderSlot] {
        var lines: [String] = []
        withUnsafeMutablePointer(to: &lines) { pointer in
            _ = mdb_reader_list(env, { message, context in
                let lines = context!.assumingMemoryBound(to: [String].self)
                lines.pointee.append(String(cString: message!))
                return 0
            }, UnsafeMutableRawPointer(pointer))
        }
        return lines.joined().split(separator: "\n").compactMap { line -> ReaderSlot? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 3, let pid = Int32(fields[0]) else { return nil }
            let alive = kill(pid, 0) == 0 || errno == EPERM
            return ReaderSlot(pid: pid, transaction: UInt64(fields[2]), processAlive: alive)
        }
    }
}
