import ArgumentParser
import EventStore
import Foundation

/// `crm stats`: sizes and counters of a store.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show the size of the log: events, streams, actors, checkpoints and disk use."
    )

    @OptionGroup var dataOptions: DataOptions

    @Flag(help: "Print the statistics as JSON (the same fields as GET /v1/stats).")
    var json = false

    func run() async throws {
        let directory = try dataOptions.directory()
        let store = try StoreOpening.openExisting(directory, command: "stats")
        defer { store.close() }
        let statistics: StoreStatistics
        let head: LogHead
        do {
            statistics = try store.statistics()
            head = try store.head()
        } catch {
            throw CommandFailure.exit("stats", error.description)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(statistics), as: UTF8.self))
        } else {
            print(Self.summary(statistics, head: head, directory: directory))
        }
    }

    static func summary(_ s: StoreStatistics, head: LogHead, directory: String) -> String {
        let lastEvent = head.position == 0 ? "none" : RecordedEvent.iso8601(milliseconds: head.recordedAt)
        let checkpoint = s.lastCheckpointPosition.map { "last at \($0)" } ?? "none signed yet"
        return """
            Event store  \(directory)
              head         position \(s.headPosition), hash \(s.headHash.prefix(16))…
              last event   \(lastEvent)
              events       \(s.events)
              streams      \(s.streams)
              actors       \(s.actors)
              checkpoints  \(s.checkpoints) (\(checkpoint))
              disk         \(bytes(s.usedBytes)) used of a \(bytes(s.mapSizeBytes)) map
              readers      \(s.readersInUse) of \(s.maxReaders) slots in use
            """
    }

    private static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
