#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures what one durable write costs on the benchmark's disk right now.
///
/// Absolute throughput on a shared disk follows the fsync latency of the moment; recording it next
/// to each repetition shows which conditions a figure was measured under, and why only ratios
/// between subjects measured in the same repetition are compared.
enum FsyncProbe {
    /// The median, in milliseconds, of `count` rounds of overwriting one 4 KiB block of a file in
    /// `directory` and `fdatasync`-ing it (the file's size never changes, so this is a pure data sync).
    static func medianMilliseconds(in directory: String, count: Int = 20) throws -> Double {
        let path = directory + "/fsync-probe"
        let fd = open(path, O_CREAT | O_WRONLY, 0o600)
        guard fd >= 0 else { throw BenchmarkError("cannot open \(path): errno \(errno)") }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for _ in 0..<count {
            let start = clock.now
            let written = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            guard written == block.count, fdatasync(fd) == 0 else { throw BenchmarkError("fsync probe failed: errno \(errno)") }
            samples.append(start.duration(to: clock.now).seconds * 1000)
        }
        return SampleSet(samples).median
    }
}
