import Domain
import EventStore
import Foundation
import Logging

/// Loads the committed sample company (`Fixtures/sample-commands.ndjson`, made by the simulator)
/// for `crm serve --demo`, through the same decisions as live commands, so the demo's events carry
/// the simulated actors, sources and business times.
///
/// Only into a log that is empty or already holds this sample (an interrupted or repeated demo
/// start): the import is idempotent, and demo data is never mixed into other data.
public struct DemoImport: Sendable {
    /// What a demo start did.
    public struct Outcome: Sendable, Equatable {
        /// Events appended now (0 when the sample was already there or the import was skipped).
        public var appended: Int
        /// Commands the log already held from an earlier start.
        public var alreadyImported: Int
        /// Why nothing was imported, when nothing was.
        public var skipped: String?
    }

    /// The sample's command file.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The id of the first event the sample's first command produces: present in the log when the
    /// log holds this sample.
    func firstEventId() throws -> UUID {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportError.unreadable(path) }
        defer { try? handle.close() }
        let head = try handle.read(upToCount: 64 * 1024) ?? Data()
        guard let line = head.split(separator: UInt8(ascii: "\n")).first else { throw ImportError.malformedLine(1, "empty file") }
        do {
            let record = try EventRegistry.decoder.decode(CommandRecord.self, from: Data(line))
            return UUID.derived(from: record.id, index: 0, at: record.at)
        } catch {
            throw ImportError.malformedLine(1, "\(error)")
        }
    }

    /// Imports the sample unless the log holds other data.
    public func importIfFresh(into store: EventStore, registry: EventRegistry = .domain, logger: Logger) async throws -> Outcome {
        let first = try firstEventId()
        if try store.head().position > 0, try store.event(id: first) == nil {
            return Outcome(appended: 0, alreadyImported: 0, skipped: "the log holds other data; the demo is not mixed into it")
        }
        let importer = CommandImporter(customers: CustomerService(handler: CommandHandler(store: store, registry: registry)))
        let report = try await importer.importFile(at: path)
        logger.info("demo import finished", metadata: [
            "commands": "\(report.commands)", "events": "\(report.events)",
            "alreadyImported": "\(report.alreadyImported)", "rejected": "\(report.rejectedCount)",
        ])
        return Outcome(appended: report.events, alreadyImported: report.alreadyImported, skipped: nil)
    }
}
