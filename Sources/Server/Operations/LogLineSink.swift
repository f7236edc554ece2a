import Foundation
import Logging
import Synchronization

/// Where the server's log lines go: a buffer that a thread of its own writes to a file descriptor
/// (stderr), so that a request never waits on the log's file or pipe.
///
/// swift-log's `StreamLogHandler` writes and flushes every line on the thread that logs it, under
/// the stream's lock. With one `request` line per request that was the largest cost of serving
/// `/health`: 10,800 against 18,600 requests/s with the line left out (BENCHMARKS.md, "The
/// request log"). Here a line is appended to memory under a short lock; the writer thread wakes
/// when the buffer goes from empty to non-empty, and after each write it waits `batchDelay` so
/// that the lines of a busy moment share one `write(2)`.
///
/// Lines are written in the order they were appended. `flush()` writes everything appended so far
/// before it returns; lines at `error` and above are flushed this way by `LogLineHandler`, so the
/// cause of a failure is on disk before the process can die of it. A line appended while
/// `maxBufferedBytes` are already waiting (the descriptor is not being drained) is dropped and
/// counted, and the next write starts with a line saying how many were dropped: memory stays
/// bounded and requests do not stall behind a stuck log reader.
public final class LogLineSink: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var dropped = 0
        /// The writer is parked on `wakeUp` and must be signalled for new lines.
        var writerParked = false
        var closed = false
    }

    /// The process's sink for standard error, used by `crm serve`.
    public static let standardError = LogLineSink(descriptor: STDERR_FILENO)

    private let descriptor: Int32
    private let maxBufferedBytes: Int
    private let batchDelay: Duration
    private let state = Mutex(State())
    /// Held while bytes taken from the buffer are written, so writes leave in the order taken.
    private let writing = Mutex(())
    private let wakeUp = DispatchSemaphore(value: 0)

    /// A sink writing to `descriptor` (not closed by the sink). `maxBufferedBytes` bounds what
    /// waits in memory; `batchDelay` is how long the writer gathers lines after a write.
    public init(descriptor: Int32, maxBufferedBytes: Int = 8 << 20, batchDelay: Duration = .milliseconds(2)) {
        self.descriptor = descriptor
        self.maxBufferedBytes = maxBufferedBytes
        self.batchDelay = batchDelay
        let thread = Thread { [self] in run() }
        thread.name = "crm-log-writer"
        thread.start()
    }

    /// Queues `line` (which should end with a newline); never blocks on I/O.
    public func append(_ line: [UInt8]) {
        let signal = state.withLock { state -> Bool in
            guard state.buffer.count < maxBufferedBytes else {
                state.dropped += 1
                return false
            }
            state.buffer.append(contentsOf: line)
            guard state.writerParked else { return false }
            state.writerParked = false
            return true
        }
        if signal { wakeUp.signal() }
    }

    /// Writes every line appended before the call, on the calling thread.
    public func flush() {
        writing.withLock { _ in writeTaken() }
    }

    /// Lines dropped so far because `maxBufferedBytes` were waiting.
    public var droppedLines: Int { state.withLock { $0.dropped } }

    /// Flushes and stops the writer thread; later lines are written by `flush()` only.
    public func close() {
        flush()
        let signal = state.withLock { state -> Bool in
            state.closed = true
            defer { state.writerParked = false }
            return state.writerParked
        }
        if signal { wakeUp.signal() }
    }

    private func run() {
        while true {
            let park = state.withLock { state -> Bool? in
                if state.closed { return nil }
                if state.buffer.isEmpty && state.dropped == 0 {
                    state.writerParked = true
                    return true
                }
                return false
            }
            guard let park else { return }
            if park {
                wakeUp.wait()
                continue
            }
            flush()
            Thread.sleep(forTimeInterval: Double(batchDelay.components.attoseconds) / 1e18 + Double(batchDelay.components.seconds))
        }
    }

    /// Takes the buffer (and the count of dropped lines) and writes it. Call holding `writing`.
    private func writeTaken() {
        let (bytes, dropped) = state.withLock { state -> ([UInt8], Int) in
            let taken = (state.buffer, state.dropped)
            state.buffer = []
            state.buffer.reserveCapacity(min(taken.0.count, 1 << 16))
            state.dropped = 0
            return taken
        }
        if dropped > 0 {
            writeAll(LogLineFormat.line(level: .warning, label: "crm.log", metadata: ["dropped": "\(dropped)"], source: "Server",
                                        message: "log lines dropped: the log's reader is not keeping up"))
        }
        writeAll(bytes)
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return // The descriptor is gone or full for good: the log cannot be written, the server goes on.
                }
            }
        }
    }
}
