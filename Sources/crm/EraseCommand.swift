import ArgumentParser
import Domain
import EventStore
import Foundation

/// `crm erase`: erases a data subject from the command line (the server must be stopped).
struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a data subject: destroy its data keys and record SubjectErased in the log.",
        discussion: """
            SUBJECT is customer:ID, lead:ID, contact:ID or a bare id. Erasing a customer also \
            erases its contacts, opportunities' personal fields and the lead it came from. The log \
            is not edited: `crm verify` keeps passing. The read models scrub the subject when the \
            server next runs.
            """
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var checkpoint: CheckpointKeyOptions
    @OptionGroup var key: MasterKeyOptions

    @Option(help: "The data subject to erase.")
    var subject: String

    @Option(help: "Why (recorded in the event's envelope; do not name the person).")
    var reason: String

    @Option(help: "Who is erasing (recorded as the actor).")
    var actor: String = ProcessInfo.processInfo.environment["USER"].map { "cli:" + $0 } ?? "cli"

    func run() async throws {
        let directory = try data.directory()
        let location = checkpoint.location(dataDirectory: directory)
        let hmac = try StoreOpening.loadKey(location.path, create: false, command: "erase")
        let store = try StoreOpening.openExisting(directory, checkpointKey: hmac, command: "erase")
        defer { store.close() }
        let ring = try key.open(dataDirectory: directory, create: false, command: "erase")
        let handler = CommandHandler(store: store, registry: EventRegistry.domain.protecting(with: ring))
        let erasure = SubjectErasure(handler: handler, keyRing: ring)
        let metadata = AppendMetadata(actor: Actor(id: actor, role: "admin"),
                                      source: Source(clientAddress: "local", userAgent: "crm-cli", host: ProcessInfo.processInfo.hostName),
                                      reason: reason)
        do {
            let outcome = try await erasure.erase(subject, metadata: metadata)
            try await store.signCheckpoint()
            print("erased \(outcome.subject): destroyed the keys of \(outcome.erasedSubjects.joined(separator: ", ")); SubjectErased at position \(outcome.position) in \(outcome.stream)")
        } catch let error as DomainError {
            throw CommandFailure.exit("erase", error.description)
        } catch let error as KeyRingError {
            throw CommandFailure.exit("erase", error.description)
        }
    }
}
