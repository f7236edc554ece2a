import Foundation
import Logging
@testable import Server
import Synchronization
import Testing

/// The server's log lines: their format, their order, and a bounded buffer when nobody reads them.
@Suite("Log lines")
struct LogLineSinkTests {
    @Test func aLineHasTimestampLevelLabelSortedMetadataSourceAndMessage() throws {
        let line = String(decoding: LogLineFormat.line(level: .info, label: "crm.server",
                                                        metadata: ["status": "200", "bytes": .stringConvertible(37), "a": ["x", "y"]],
                                                        source: "Server", message: "request"), as: UTF8.self)
        let match = try #require(line.wholeMatch(of: /(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z (.*)\n/))
        #expect(match.8 == #"info crm.server: a=["x", "y"] bytes=37 status=200 [Server] request"#)
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).year!
        #expect(Int(match.1) == year || Int(match.1) == year - 1)

        let bare = String(decoding: LogLineFormat.line(level: .error, label: "", metadata: [:], source: "S", message: "m"), as: UTF8.self)
        #expect(bare.hasSuffix("Z error: [S] m\n"))
    }

    @Test func theTimestampIsUTCToTheMillisecond() throws {
        let before = Date()
        let line = String(decoding: LogLineFormat.line(level: .info, label: "", metadata: [:], source: "S", message: "m"), as: UTF8.self)
        let text = String(line.prefix { $0 != " " })
        let after = Date()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: text))
        #expect(parsed >= before.addingTimeInterval(-0.001) && parsed <= after)
    }

    @Test func linesFromManyThreadsArriveWholeAndInEachThreadsOrder() throws {
        try withPipe { read, write in
            let sink = LogLineSink(descriptor: write)
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                for index in 0..<2_000 { sink.append(Array("t\(thread) \(index)\n".utf8)) }
            }
            sink.close()
            close(write)
            let lines = String(decoding: try FileHandle(fileDescriptor: read).readToEnd() ?? Data(), as: UTF8.self)
                .split(separator: "\n")
            #expect(lines.count == 8_000)
            for thread in 0..<4 {
                let own = lines.filter { $0.hasPrefix("t\(thread) ") }.map { Int($0.split(separator: " ")[1])! }
                #expect(own == Array(0..<2_000))
            }
        }
    }

    @Test func aStuckReaderCostsDroppedLinesNotMemoryAndTheDropIsReported() throws {
        try withPipe { read, write in
            // The pipe holds 64 KiB; nobody reads it until the sink has refused lines.
            let sink = LogLineSink(descriptor: write, maxBufferedBytes: 4_096)
            let line = Array((String(repeating: "x", count: 99) + "\n").utf8)
            var appended = 0
            while sink.droppedLines == 0 || appended < 2_000 {
                sink.append(line)
                appended += 1
                if appended > 100_000 { break }
            }
            let dropped = sink.droppedLines
            #expect(dropped > 0)
            let drained = Drained()
            let done = DispatchSemaphore(value: 0)
            Thread {
                drained.bytes.withLock { $0 = (try? FileHandle(fileDescriptor: read).readToEnd()) ?? Data() }
                done.signal()
            }.start()
            sink.flush() // waits for the writer's blocked write, which the reader now drains
            sink.append(Array("last\n".utf8))
            sink.close()
            close(write)
            done.wait()
            let text = String(decoding: drained.bytes.withLock { $0 }, as: UTF8.self)
            let lines = text.split(separator: "\n")
            #expect(lines.last == "last")
            let notice = try #require(lines.first { $0.contains("log lines dropped") })
            let reported = lines.filter { $0.contains("log lines dropped") }
                .compactMap { $0.firstMatch(of: /dropped=(\d+)/).flatMap { Int($0.1) } }.reduce(0, +)
            #expect(notice.contains("warning crm.log:"))
            #expect(reported >= dropped)
            #expect(lines.filter { $0.hasPrefix("xxx") }.count + reported == appended)
        }
    }

    @Test func errorLinesAreWrittenBeforeLogReturns() throws {
        try withPipe { read, write in
            // A writer that would wait a minute before writing anything on its own.
            let sink = LogLineSink(descriptor: write, batchDelay: .seconds(60))
            var logger = Logger(label: "crm.test") { LogLineHandler(label: $0, sink: sink) }
            logger.logLevel = .info
            logger.info("first")
            logger.error("broken", metadata: ["cause": "disk"])
            let flags = fcntl(read, F_GETFL)
            _ = fcntl(read, F_SETFL, flags | O_NONBLOCK)
            var buffer = [UInt8](repeating: 0, count: 4_096)
            let count = Foundation.read(read, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
            #expect(text.contains("info crm.test: [ServerTests] first\n"))
            #expect(text.contains("error crm.test: cause=disk [ServerTests] broken\n"))
            sink.close()
            close(write)
        }
    }

    private final class Drained: Sendable {
        let bytes = Mutex(Data())
    }

    private func withPipe(_ body: (Int32, Int32) throws -> Void) throws {
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        try body(descriptors[0], descriptors[1])
    }
}
