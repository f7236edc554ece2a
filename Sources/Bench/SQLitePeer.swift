import CSQLite
import Dispatch
import Foundation
import Synchronization

/// The embedded peer: SQLite (the system's libsqlite3) used the way Marten uses PostgreSQL.
///
/// One connection in WAL mode with `synchronous=FULL` (every commit fsyncs the WAL, the same
/// durability promise as the EventStore), and Marten's events table with its unique
/// `(stream_id, version)` index. Each append is one transaction: `BEGIN IMMEDIATE`, read the
/// stream's current version, insert the events with the next versions, `COMMIT`. Concurrent
/// callers queue for the one connection on a dedicated thread; SQLite has no group commit, so each
/// append pays its own fsync, which is exactly what the comparison is about.
///
/// `@unchecked Sendable`, and why that is safe: `db` and the prepared statements are used only on
/// the connection thread (every append and scan is a request run there), which starts in `init`
/// after they are created and is joined in `close()` before they are finalized; the connection is
/// opened `SQLITE_OPEN_NOMUTEX`, which is correct precisely because one thread at a time uses it.
/// `requests` is a `Mutex`-guarded queue; `commits` and `closed` are atomics.
final class SQLitePeer: AppendSubject, @unchecked Sendable {
    private enum Request: Sendable {
        case append(stream: String, ids: [UUID], CheckedContinuation<Void, any Error>)
        case scan(CheckedContinuation<(events: Int, checksum: Int), any Error>)
    }

    /// The prepared statements an append runs, prepared once.
    private struct Statements {
        var begin: OpaquePointer
        var currentVersion: OpaquePointer
        var insert: OpaquePointer
        var commit: OpaquePointer
        var rollback: OpaquePointer
        var scan: OpaquePointer

        var all: [OpaquePointer] { [begin, currentVersion, insert, commit, rollback, scan] }
    }

    /// The table and index exactly as the issue gives them (Marten's `mt_events`, trimmed to the
    /// columns every subject stores).
    static let schema = """
        CREATE TABLE IF NOT EXISTS mt_events (
            seq_id INTEGER PRIMARY KEY,
            id BLOB NOT NULL UNIQUE,
            stream_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            type TEXT NOT NULL,
            data BLOB NOT NULL,
            timestamp INTEGER NOT NULL,
            UNIQUE(stream_id, version)
        )
        """

    let kind = SubjectKind.sqlite
    private let db: OpaquePointer
    private let statements: Statements
    private let requests = RequestQueue<Request>()
    private let finished = DispatchSemaphore(value: 0)
    private let commits = Atomic<UInt64>(0)
    private let closed = Atomic<Bool>(false)

    /// The version of the library actually linked, for the report.
    static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// Creates the database file at `path` and starts the connection thread.
    init(path: String) throws {
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(rc)"
            sqlite3_close(handle)
            throw BenchmarkError("sqlite3_open_v2(\(path)): \(message)")
        }
        do {
            let mode = try Self.queryText(handle, "PRAGMA journal_mode=WAL")
            guard mode.lowercased() == "wal" else { throw BenchmarkError("SQLite refused WAL mode (got \(mode))") }
            try Self.execute(handle, "PRAGMA synchronous=FULL")
            let synchronous = try Self.queryText(handle, "PRAGMA synchronous")
            guard synchronous == "2" else { throw BenchmarkError("SQLite synchronous is \(synchronous), expected 2 (FULL)") }
            try Self.execute(handle, Self.schema)
            statements = Statements(
                begin: try Self.prepare(handle, "BEGIN IMMEDIATE"),
                currentVersion: try Self.prepare(handle, "SELECT max(version) FROM mt_events WHERE stream_id = ?1"),
                insert: try Self.prepare(handle, "INSERT INTO mt_events (id, stream_id, version, type, data, timestamp) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
                commit: try Self.prepare(handle, "COMMIT"),
                rollback: try Self.prepare(handle, "ROLLBACK"),
                scan: try Self.prepare(handle, "SELECT seq_id, id, stream_id, version, type, data, timestamp FROM mt_events ORDER BY seq_id"))
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
        db = handle
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "bench-sqlite-connection"
        thread.start()
    }

    func append(stream: String, count: Int) async throws {
        var ids: [UUID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(UUID()) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if !requests.submit(.append(stream: stream, ids: ids, continuation)) {
                continuation.resume(throwing: BenchmarkError("SQLite peer is closed"))
            }
        }
    }

    func commitCount() -> UInt64 { commits.load(ordering: .relaxed) }

    /// `SELECT` of every row in log order with every column read into Swift values (the data copied
    /// out), the SQLite counterpart of the EventStore's decoded scan.
    func scan() async throws -> (events: Int, checksum: Int) {
        try await withCheckedThrowingContinuation { continuation in
            if !requests.submit(.scan(continuation)) {
                continuation.resume(throwing: BenchmarkError("SQLite peer is closed"))
            }
        }
    }

    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        requests.stop()
        finished.wait()
        for statement in statements.all { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    // MARK: Connection thread

    private func run() {
        while let batch = requests.next() {
            for request in batch {
                switch request {
                case .append(let stream, let ids, let continuation):
                    do {
                        try appendInTransaction(stream: stream, ids: ids)
                        commits.add(1, ordering: .relaxed)
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                case .scan(let continuation):
                    continuation.resume(with: Result { try scanAll() })
                }
            }
        }
    }

    private func appendInTransaction(stream: String, ids: [UUID]) throws {
        try step(statements.begin, expecting: SQLITE_DONE)
        do {
            var version: Int64 = try stream.withCString { name in
                sqlite3_bind_text(statements.currentVersion, 1, name, -1, Self.transient)
                defer { sqlite3_reset(statements.currentVersion) }
                try step(statements.currentVersion, expecting: SQLITE_ROW)
                return sqlite3_column_int64(statements.currentVersion, 0)  // NULL (no stream yet) reads as 0
            }
            let timestamp = Int64(Date().timeIntervalSince1970 * 1000)
            let insert = statements.insert
            try stream.withCString { name in
                try BenchmarkPayload.data.withUnsafeBytes { data in
                    for id in ids {
                        version += 1
                        try withUnsafeBytes(of: id.uuid) { idBytes in
                            sqlite3_bind_blob(insert, 1, idBytes.baseAddress, Int32(idBytes.count), Self.transient)
                            sqlite3_bind_text(insert, 2, name, -1, Self.transient)
                            sqlite3_bind_int64(insert, 3, version)
                            sqlite3_bind_text(insert, 4, BenchmarkPayload.type, -1, Self.transient)
                            sqlite3_bind_blob(insert, 5, data.baseAddress, Int32(data.count), Self.transient)
                            sqlite3_bind_int64(insert, 6, timestamp)
                            defer { sqlite3_reset(insert) }
                            try step(insert, expecting: SQLITE_DONE)
                        }
                    }
                }
            }
            try step(statements.commit, expecting: SQLITE_DONE)
        } catch {
            sqlite3_step(statements.rollback)
            sqlite3_reset(statements.rollback)
            throw error
        }
    }

    private func scanAll() throws -> (events: Int, checksum: Int) {
        let scan = statements.scan
        defer { sqlite3_reset(scan) }
        var events = 0
        var checksum = 0
        while true {
            let rc = sqlite3_step(scan)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure("scan", rc) }
            let seq = sqlite3_column_int64(scan, 0)
            let id = Self.uuid(sqlite3_column_blob(scan, 1), count: Int(sqlite3_column_bytes(scan, 1)))
            let stream = String(cString: sqlite3_column_text(scan, 2))
            let version = sqlite3_column_int64(scan, 3)
            let type = String(cString: sqlite3_column_text(scan, 4))
            let dataCount = Int(sqlite3_column_bytes(scan, 5))
            let data = dataCount == 0 ? [] : Array(UnsafeRawBufferPointer(start: sqlite3_column_blob(scan, 5), count: dataCount))
            let timestamp = sqlite3_column_int64(scan, 6)
            events += 1
            checksum &+= data.count &+ stream.utf8.count &+ type.utf8.count &+ Int(truncatingIfNeeded: seq &+ version &+ timestamp) &+ (id == nil ? 0 : 1)
        }
        return (events, checksum)
    }

    // MARK: Helpers

    /// `SQLITE_TRANSIENT`: SQLite copies the bound bytes (the C macro is not imported into Swift).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func uuid(_ bytes: UnsafeRawPointer?, count: Int) -> UUID? {
        guard let bytes, count == 16 else { return nil }
        return UUID(uuid: bytes.loadUnaligned(as: uuid_t.self))
    }

    private func step(_ statement: OpaquePointer, expecting expected: Int32) throws {
        let rc = sqlite3_step(statement)
        if expected == SQLITE_DONE || rc != SQLITE_ROW { sqlite3_reset(statement) }
        guard rc == expected else { throw failure(String(cString: sqlite3_sql(statement)), rc) }
    }

    private func failure(_ operation: String, _ rc: Int32) -> BenchmarkError {
        BenchmarkError("SQLite \(operation): \(String(cString: sqlite3_errmsg(db))) (code \(rc))")
    }

    private static func execute(_ db: OpaquePointer, _ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw BenchmarkError("SQLite \(sql): \(text)")
        }
    }

    private static func queryText(_ db: OpaquePointer, _ sql: String) throws -> String {
        let statement = try prepare(db, sql)
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW, let text = sqlite3_column_text(statement, 0) else {
            throw BenchmarkError("SQLite \(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
        return String(cString: text)
    }

    private static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw BenchmarkError("SQLite prepare \(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
        return statement
    }
}
