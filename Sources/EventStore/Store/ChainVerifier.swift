import CLMDB
import Foundation

/// The chain verification algorithm, apart from how the log was opened: `EventStore.verify` runs
/// it on the store a process owns, `ReadOnlyLog.verify` on a log opened read-only beside a running
/// server (`crm doctor`) or on a restored or compacted copy. One algorithm, so every opener judges
/// a log by exactly the same rules.
struct ChainVerifier {
    let env: LMDBEnvironment
    let dbs: LogDatabases
    /// The HMAC key of signed checkpoints; without one, checkpoints are compared with the chain
    /// but not authenticated.
    let key: HMACKey?

    /// Runs `body` in a read transaction, translating LMDB failures.
    func read<T>(_ body: (ReadTransaction) throws -> T) throws(EventStoreError) -> T {
        do { return try env.readFollowingGrowth(body) } catch let error as EventStoreError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }

    /// Recomputes the chain over `[from, to]` (the whole log by default) and reports the first
    /// position where it breaks: an edited byte (hash mismatch), a removed event (a gap), a
    /// reordered or inserted event (position field differs from its key), a cut-off tail (the log
    /// ends before the recorded head), or a rewritten chain (a signed checkpoint disagrees). A signed
    /// checkpoint record that does not parse, or whose position differs from the key it is stored
    /// under (edited or moved), is named at that key.
    ///
    /// Reads in pages of `pageSize` events per read transaction; appends go on meanwhile and the
    /// range is fixed at the head seen when verification starts. A partial range trusts the stored
    /// hash at `from - 1` as its starting link.
    func verify(from: UInt64 = 1, to: UInt64? = nil, pageSize: Int = 16_384, progress: ((UInt64) -> Void)? = nil) throws(EventStoreError) -> VerificationReport {
        let recordedHead = try read { txn in try LogHead.recorded(in: txn, dbs) }
        let from = max(from, 1)
        let to = min(to ?? recordedHead.position, recordedHead.position)
        var report = VerificationReport(firstBadPosition: nil, problem: nil, checkedEvents: 0, from: from, to: to,
                                        checkpointsVerified: 0, lastCheckpoint: nil, checkpointsUnauthenticated: key == nil)
        func fail(_ position: UInt64, _ problem: String) -> VerificationReport {
            report.firstBadPosition = position
            report.problem = problem
            return report
        }

        // Each record is judged by the key it is stored under: the record itself may be the tampered
        // part, so its own position field cannot say where the damage is.
        var checkpoints: [SignedCheckpoint] = []
        for (storedAt, record) in try storedCheckpointRecords() {
            guard let checkpoint = record else {
                return fail(max(storedAt, 1), "signed checkpoint at \(storedAt) is malformed")
            }
            if checkpoint.position != storedAt {
                return fail(max(storedAt, 1), "signed checkpoint stored at \(storedAt) says it covers \(checkpoint.position): it was altered or moved")
            }
            checkpoints.append(checkpoint)
            if let key, !checkpoint.isAuthentic(under: key) {
                return fail(max(checkpoint.position, 1), "signed checkpoint at \(checkpoint.position) has an invalid HMAC")
            }
            if checkpoint.position > recordedHead.position {
                return fail(recordedHead.position + 1, "a signed checkpoint covers position \(checkpoint.position) but the log ends at \(recordedHead.position): events were removed from the end")
            }
        }
        var pending = checkpoints.filter { $0.position >= from - 1 && $0.position <= to }.makeIterator()
        var nextCheckpoint = pending.next()

        var previous = SHA256Digest.zero
        if from > 1 {
            let stored = try read { txn in
                try BigEndian.bytes(from - 1).withUnsafeBytes { try txn.get(dbs.events, $0).flatMap(EnvelopeCodec.storedHash(of:)) }
            }
            guard let stored else { return fail(from - 1, "event \(from - 1) is missing") }
            previous = stored
        }
        while let checkpoint = nextCheckpoint, checkpoint.position < from {
            if checkpoint.position == from - 1 {
                guard checkpoint.hash == previous else { return fail(from - 1, "chain hash differs from the signed checkpoint at \(checkpoint.position)") }
                report.checkpointsVerified += 1
                report.lastCheckpoint = checkpoint
            }
            nextCheckpoint = pending.next()
        }

        var expected = from
        var problem: (UInt64, String)?
        while expected <= to && problem == nil {
            problem = try read { txn -> (UInt64, String)? in
                let cursor = try txn.cursor(dbs.events)
                var entry = try BigEndian.bytes(expected).withUnsafeBytes { try cursor.get(MDB_SET_RANGE, key: $0) }
                var count = 0
                while count < pageSize, expected <= to {
                    guard let (key, value) = entry else {
                        return (expected, "event \(expected) is missing: the log ends at \(expected - 1) but its head is \(recordedHead.position)")
                    }
                    let keyPosition = key.count == 8 ? BigEndian.uint64(key) : 0
                    if keyPosition != expected {
                        return (expected, "event \(expected) is missing (next stored key is \(keyPosition))")
                    }
                    guard let stored = EnvelopeCodec.storedHash(of: value), let position = EnvelopeCodec.position(of: value) else {
                        return (expected, "event \(expected) is too short or of an unknown format")
                    }
                    if position != expected {
                        return (expected, "event stored at \(expected) says it is event \(position): reordered or inserted")
                    }
                    let computed = previous.bytes.withUnsafeBytes { prev in
                        SHA256Digest.hash(prev, UnsafeRawBufferPointer(rebasing: value[..<(value.count - SHA256Digest.byteCount)]))
                    }
                    guard computed == stored else {
                        return (expected, "event \(expected) does not match its chain hash: its bytes were altered")
                    }
                    do { _ = try EnvelopeCodec.decodeHeader(value) } catch {
                        return (expected, "event \(expected) cannot be decoded: \(error)")
                    }
                    if let checkpoint = nextCheckpoint, checkpoint.position == expected {
                        guard checkpoint.hash == computed else {
                            return (expected, "chain hash at \(expected) differs from the signed checkpoint: the chain was rewritten")
                        }
                        report.checkpointsVerified += 1
                        report.lastCheckpoint = checkpoint
                        nextCheckpoint = pending.next()
                    }
                    previous = computed
                    report.checkedEvents += 1
                    expected += 1
                    count += 1
                    entry = try cursor.get(MDB_NEXT)
                }
                return nil
            }
            progress?(report.checkedEvents)
        }
        if let (position, text) = problem { return fail(position, text) }
        if to == recordedHead.position, to > 0, previous != recordedHead.hash {
            return fail(to, "recorded head hash differs from the chain's last hash")
        }
        if to == recordedHead.position {
            // Events stored beyond the recorded head were inserted outside the writer. Judged in one
            // snapshot with the head: an append committed while this ran moved the head as well,
            // and is not an insertion.
            let extra = try read { txn -> Bool in
                guard try LogHead.recorded(in: txn, dbs).position == to else { return false }
                return try BigEndian.bytes(to + 1).withUnsafeBytes { try txn.get(dbs.events, $0) != nil }
            }
            if extra { return fail(to + 1, "event \(to + 1) is stored beyond the recorded head \(to)") }
        }
        return report
    }

    /// Every record of the `checkpoints` database with the position its key names, in key order;
    /// `nil` for a record that does not parse. Verification needs the key because a tampered record
    /// can carry any position, and one that no longer parses must be reported, not skipped.
    func storedCheckpointRecords() throws(EventStoreError) -> [(storedAt: UInt64, record: SignedCheckpoint?)] {
        try read { txn in
            var out: [(storedAt: UInt64, record: SignedCheckpoint?)] = []
            let cursor = try txn.cursor(dbs.checkpoints)
            var entry = try cursor.get(MDB_FIRST)
            while let (key, value) = entry {
                out.append((key.count == 8 ? BigEndian.uint64(key) : 0, SignedCheckpoint(stored: value)))
                entry = try cursor.get(MDB_NEXT)
            }
            return out
        }
    }
}
