import ArgumentParser
import EventStore
import Foundation

/// `crm log`: the log as NDJSON, one event per line in the API's JSON representation.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Print events as NDJSON (one JSON object per line), paging through the whole log.",
        discussion: """
            Without filters, prints the global log from position --from. With --stream, prints that \
            stream from stream version --from. With --actor, prints the events that actor caused, \
            from log position --from (combined with --stream: that stream's events by that actor).
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp("Log position to start at (with --stream: stream version).", valueName: "n"))
    var from: UInt64 = 1

    @Option(help: ArgumentHelp("Only this stream.", valueName: "stream"))
    var stream: String?

    @Option(help: ArgumentHelp("Only events caused by this actor id.", valueName: "actor"))
    var actor: String?

    @Option(help: ArgumentHelp("Print at most this many events (default: all).", valueName: "n"))
    var limit: Int?

    static let pageSize = 1000

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if stream?.isEmpty == true { throw ValidationError("--stream must not be empty.") }
        if actor?.isEmpty == true { throw ValidationError("--actor must not be empty.") }
    }

    func run() async throws {
        let store = try StoreOpening.openExisting(try dataOptions.directory(), command: "log")
        defer { store.close() }
        var remaining = limit ?? Int.max
        var next = from
        do {
            while remaining > 0 {
                let page: [RecordedEvent]
                let more: Bool
                if let stream {
                    let read = try store.readStream(stream, from: max(next, 1), direction: .forward, limit: Self.pageSize)
                    page = actor.map { actor in read.filter { $0.actor.id == actor } } ?? read
                    more = read.count == Self.pageSize
                    next = (read.last?.streamVersion ?? next) + 1
                } else if let actor {
                    page = try store.read(actor: actor, from: next, limit: Self.pageSize)
                    more = page.count == Self.pageSize
                    next = (page.last?.position ?? next) + 1
                } else {
                    let read = try store.readPage(from: next, limit: Self.pageSize)
                    page = read.events
                    more = !read.events.isEmpty
                    next = read.next
                }
                var output: [UInt8] = []
                for event in page.prefix(remaining) {
                    event.appendJSON(to: &output)
                    output.append(UInt8(ascii: "\n"))
                }
                remaining -= min(page.count, remaining)
                try FileHandle.standardOutput.write(contentsOf: output)
                if !more { break }
            }
        } catch let error as EventStoreError {
            throw CommandFailure.exit("log", error.description)
        }
    }
}
