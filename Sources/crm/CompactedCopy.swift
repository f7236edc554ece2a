import EventStore
import Foundation

/// A compacted copy of one LMDB environment written to a file, hashed on the way, with a progress
/// bar whose total is the environment's live pages (what compaction keeps).
struct CompactedCopy {
    /// Size and SHA-256 of what was written.
    let bytes: UInt64
    let sha256: SHA256Digest

    /// Copies `environment` into `file` (created, synced) and reports progress as `label`.
    static func make(of environment: ReadOnlyEnvironment, into file: String, label: String) throws -> CompactedCopy {
        let expected = (try? environment.usage().liveBytes) ?? 0
        let handle = try DurableFiles.create(file)
        defer { try? handle.close() }
        let digest = RunningDigest()
        var progress = ProgressLine(label: label, unit: "bytes", countsBytes: true)
        var written: UInt64 = 0
        try environment.copyCompacted { chunk in
            try handle.write(contentsOf: chunk)
            digest.update(chunk)
            written += UInt64(chunk.count)
            progress.update(done: Int(written), fraction: expected > 0 ? Double(written) / Double(expected) : nil)
        }
        try handle.synchronize()
        progress.clear()
        return CompactedCopy(bytes: written, sha256: digest.finalize())
    }
}

/// A SHA-256 being computed, in a box so closures can feed it.
final class RunningDigest {
    private var hasher: SHA256Hasher? = SHA256Hasher()

    func update(_ bytes: UnsafeRawBufferPointer) {
        hasher!.update(bytes)
    }

    /// Ends the computation (once).
    func finalize() -> SHA256Digest {
        let finished = hasher.take()!
        return finished.finalize()
    }
}
