import ArgumentParser
import EventStore
import Foundation

/// A load generator for crash drills: appends forever from several concurrent writers and prints
/// one `ack <event id> <position>` line per event the store acknowledged, written with a single
/// `write(2)` each so a SIGKILL can never leave half a line. A drill kills this process at random
/// moments and checks that every acknowledged event survived.
struct CrashWriterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-writer",
        abstract: "Append continuously and report acknowledged events (for crash drills).",
        shouldDisplay: false
    )

    @Option(help: "The data directory.")
    var data: String

    @Option(help: "Concurrent writers.")
    var writers: Int = 8

    @Option(help: "Checkpoint key file (created if missing).")
    var checkpointKey: String?

    func run() async throws {
        let parent = getppid()
        let key = try HMACKey.load(file: checkpointKey ?? data + "/checkpoint.key", createIfMissing: true)
        let store = try EventStore(directory: data, configuration: .init(checkpointInterval: 500, checkpointKey: key))
        let metadata = AppendMetadata(actor: Actor(id: "crash-writer", role: "system"), source: .local(tool: "crm crash-writer"))
        print("ready", to: &StandardError.stream)
        Self.exitWhenOrphaned(startedBy: parent)
        await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var round = 0
                    while true {
                        round += 1
                        let first = ProposedEvent(type: "DrillEventAppended", data: Array(#"{"writer":\#(writer),"round":\#(round)}"#.utf8))
                        if round % 5 == 0 {
                            // A two-stream atomic append, as a customer merge would make.
                            let second = ProposedEvent(type: "DrillEventMirrored", data: Array(#"{"writer":\#(writer),"round":\#(round)}"#.utf8))
                            let results = try await store.append([
                                StreamAppend(stream: "drill-\(writer)", expected: .any, events: [first]),
                                StreamAppend(stream: "drill-mirror-\(writer % 2)", expected: .any, events: [second]),
                            ], metadata: metadata)
                            acknowledge(first.id, results[0].positions[0])
                            acknowledge(second.id, results[1].positions[0])
                        } else {
                            let result = try await store.append("drill-\(writer)", [first], expected: .any, metadata: metadata)
                            acknowledge(first.id, result.positions[0])
                        }
                    }
                }
            }
        }
    }
}

extension CrashWriterCommand {
    /// Ends the process once the drill that started it is gone (it is then re-parented). A drill
    /// interrupted before its kill, a test run cut short, left this writer appending, and taking
    /// a core, for good.
    static func exitWhenOrphaned(startedBy parent: pid_t) {
        Thread.detachNewThread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.2) }
            print("crash-writer: the process that started it ended; exiting", to: &StandardError.stream)
            Foundation.exit(3)
        }
    }
}

private func acknowledge(_ id: UUID, _ position: UInt64) {
    let line = Array("ack \(id.uuidString) \(position)\n".utf8)
    _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

/// Standard error as a `TextOutputStream`, for messages that must not mix with data on stdout.
enum StandardError {
    struct Stream: TextOutputStream {
        mutating func write(_ string: String) {
            FileHandle.standardError.write(Data(string.utf8))
        }
    }

    nonisolated(unsafe) static var stream = Stream()
}
