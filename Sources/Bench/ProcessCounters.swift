import Foundation

/// CPU time and bytes written by this process, sampled around each run.
///
/// Throughput alone does not say why one subject is slower: these two do. CPU time per event shows
/// the work per event (user and kernel, on a machine with few cores where the writer competes with
/// the callers), and bytes written per event shows write amplification (every B-tree page an index
/// dirties is written whole at commit). During a run only the measured subject works, so the
/// process-wide counters are that subject's.
struct ProcessCounters {
    /// User plus system CPU time of the whole process, in seconds.
    var cpuSeconds: Double
    /// Bytes passed to `write`-family system calls (`wchar` of `/proc/self/io`); nil where the
    /// kernel does not offer it.
    var bytesWritten: UInt64?

    static func now() -> ProcessCounters {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
        return ProcessCounters(cpuSeconds: cpu, bytesWritten: writtenBytes())
    }

    private static func writtenBytes() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
            return UInt64(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
