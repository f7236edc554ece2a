import CLMDB
import Dispatch
import Foundation
import Synchronization

/// The practical limit: the EventStore's group-commit loop written directly against LMDB's C API,
/// with nothing else.
///
/// Same environment settings as the store (`MDB_NOTLS`, syncs on: no `MDB_NOSYNC`, no
/// `MDB_NOMETASYNC`), same loop (callers queue, one dedicated thread drains everything queued into
/// one write transaction, one commit, then resumes every caller), but one database holding
/// `position → payload` put with `MDB_APPEND`: no envelope, no hash chain, no indexes, no
/// checkpoints, no validation. Whatever the EventStore loses against this is the price of its
/// features, not of the disk.
///
/// `@unchecked Sendable`, and why that is safe: `env` is an `MDB_env` handle, which LMDB allows
/// to be used from any thread (and `MDB_NOTLS` lets a read transaction live on any thread); write
/// transactions are begun only on the writer thread; `nextPosition` is read and written only on
/// the writer thread, which starts in `init` and is joined in `close()` before `env` is closed;
/// `requests` is a `Mutex`-guarded queue and `commits` and `closed` are atomics.
final class BareLMDBBaseline: AppendSubject, @unchecked Sendable {
    private struct Request: Sendable {
        var payloads: [[UInt8]]
        var continuation: CheckedContinuation<Void, any Error>
    }

    let kind = SubjectKind.bareLMDB
    private let env: OpaquePointer
    private let dbi: MDB_dbi
    private let requests = RequestQueue<Request>()
    private let finished = DispatchSemaphore(value: 0)
    private let commits = Atomic<UInt64>(0)
    private let closed = Atomic<Bool>(false)

    // Writer-thread state.
    private var nextPosition: UInt64 = 1

    /// Creates an empty environment in `directory` (which must exist) and starts the writer thread.
    init(directory: String, mapSize: Int) throws {
        var handle: OpaquePointer?
        try Self.check(mdb_env_create(&handle), "mdb_env_create")
        guard let handle else { throw BenchmarkError("mdb_env_create returned no environment") }
        do {
            try Self.check(mdb_env_set_mapsize(handle, mapSize), "mdb_env_set_mapsize")
            try Self.check(mdb_env_open(handle, directory, UInt32(MDB_NOTLS), 0o640), "mdb_env_open(\(directory))")
            var txn: OpaquePointer?
            try Self.check(mdb_txn_begin(handle, nil, 0, &txn), "mdb_txn_begin")
            var dbi: MDB_dbi = 0
            let opened = mdb_dbi_open(txn, nil, 0, &dbi)
            guard opened == 0 else {
                mdb_txn_abort(txn)
                throw BenchmarkError("mdb_dbi_open: \(String(cString: mdb_strerror(opened)))")
            }
            try Self.check(mdb_txn_commit(txn), "mdb_txn_commit")
            self.dbi = dbi
        } catch {
            mdb_env_close(handle)
            throw error
        }
        env = handle
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "bench-bare-lmdb-writer"
        thread.start()
    }

    /// `stream` is ignored: the baseline has no streams, which is part of what makes it the limit.
    func append(stream: String, count: Int) async throws {
        let payloads = [[UInt8]](repeating: BenchmarkPayload.data, count: count)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if !requests.submit(Request(payloads: payloads, continuation: continuation)) {
                continuation.resume(throwing: BenchmarkError("bare LMDB baseline is closed"))
            }
        }
    }

    func commitCount() -> UInt64 { commits.load(ordering: .relaxed) }

    /// Walks every record with a cursor in one read transaction: the fastest full scan LMDB allows.
    func scan() throws -> (events: Int, checksum: Int) {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin(read)")
        defer { mdb_txn_abort(txn) }
        var cursor: OpaquePointer?
        try Self.check(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var value = MDB_val()
        var events = 0
        var checksum = 0
        var rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
        while rc == 0 {
            events += 1
            checksum &+= value.mv_size
            rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
        if rc != MDB_NOTFOUND { try Self.check(rc, "mdb_cursor_get") }
        return (events, checksum)
    }

    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        requests.stop()
        finished.wait()
        mdb_env_close(env)
    }

    // MARK: Writer thread

    private func run() {
        while let group = requests.next() {
            do {
                try commit(group)
                commits.add(1, ordering: .relaxed)
                for request in group { request.continuation.resume() }
            } catch {
                for request in group { request.continuation.resume(throwing: error) }
            }
        }
    }

    /// One write transaction for the whole group: keys are consecutive big-endian positions, so
    /// `MDB_APPEND` writes each record at the end of the last leaf page without searching.
    private func commit(_ group: [Request]) throws {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin(write)")
        var position = nextPosition
        do {
            for request in group {
                for payload in request.payloads {
                    var key = position.bigEndian
                    try withUnsafeMutableBytes(of: &key) { keyBytes in
                        try payload.withUnsafeBytes { valueBytes in
                            var k = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
                            var v = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                            try Self.check(mdb_put(txn, dbi, &k, &v, UInt32(MDB_APPEND)), "mdb_put")
                        }
                    }
                    position += 1
                }
            }
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        try Self.check(mdb_txn_commit(txn), "mdb_txn_commit")  // LMDB frees the transaction on failure
        nextPosition = position
    }

    private static func check(_ rc: Int32, _ operation: String) throws {
        guard rc != 0 else { return }
        throw BenchmarkError("\(operation): \(String(cString: mdb_strerror(rc)))")
    }
}
