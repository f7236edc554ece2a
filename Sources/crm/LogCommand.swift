import ArgumentParser
import Domain
import EventStore
import Foundation

/// How `crm log` shows the personal data of events.
enum PersonalDataView: String, ExpressibleByArgument, CaseIterable {
    /// As stored: placeholders in the data, the ciphertext beside it.
    case sealed
    /// Decrypted (needs the master key); erased subjects read `erased`.
    case open
    /// Each personal value replaced by its subject's stable pseudonym; no ciphertext.
    case pseudonymised
}

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

    @Option(help: ArgumentHelp("Personal data: sealed (as stored), open (decrypted) or pseudonymised (stable per-subject pseudonyms, for analysts).", valueName: "view"))
    var personal: PersonalDataView = .sealed

    @OptionGroup var masterKey: MasterKeyOptions

    static let pageSize = 1000

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if stream?.isEmpty == true { throw ValidationError("--stream must not be empty.") }
        if actor?.isEmpty == true { throw ValidationError("--actor must not be empty.") }
    }

    func run() async throws {
        let directory = try dataOptions.directory()
        let store = try StoreOpening.openExisting(directory, command: "log")
        defer { store.close() }
        let ring = personal == .sealed ? nil : try masterKey.open(dataDirectory: directory, create: false, command: "log")
        let registry = ring.map { EventRegistry.domain.protecting(with: $0) } ?? .domain
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
                for var event in page.prefix(remaining) {
                    switch personal {
                    case .sealed:
                        break
                    case .open:
                        event.data = registry.readableData(of: event)
                        event.sealed = nil
                    case .pseudonymised:
                        if let ring, let subject = event.sealed?.subject ?? PersonalDataProtection.subject(type: event.type, data: event.data) {
                            event.data = PersonalDataProtection.pseudonymise(type: event.type, data: event.data, pseudonym: ring.pseudonym(for: subject))
                        }
                        event.sealed = nil
                    }
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
