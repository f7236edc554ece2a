import ArgumentParser
import Domain
import EventStore
import Foundation

/// `crm import FILE`: loads a command file (from `crm fixtures generate`, or an export of another
/// system turned into commands) through the same decisions as live commands.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a command file (NDJSON) through the domain's decisions, in durable batches.",
        discussion: """
            Each batch of commands is decided in memory and appended in one atomic transaction; a refused \
            command is counted by its error code and skipped, and the first ten refusals are named (line, \
            command id and type, code, message). Re-importing the same file writes nothing twice.
            """
    )

    @Argument(help: ArgumentHelp("The command file.", valueName: "file"))
    var file: String

    @OptionGroup var data: DataOptions
    @OptionGroup var key: CheckpointKeyOptions
    @OptionGroup var masterKey: MasterKeyOptions

    @Option(help: "Commands decided per atomic append.")
    var batchSize: Int = 2000

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let directory = try data.directory()
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw CommandFailure.exit("import", "cannot read \(file)")
        }
        let location = key.location(dataDirectory: directory)
        let hmac = try StoreOpening.loadKey(location.path, create: location.isDefault, command: "import")
        let store: EventStore
        do {
            store = try EventStore(directory: directory, configuration: .init(createIfMissing: true, checkpointKey: hmac))
        } catch {
            throw CommandFailure.exit("import", error.description)
        }
        defer { store.close() }
        let ring = try masterKey.open(dataDirectory: directory, create: true, command: "import")
        let registry = EventRegistry.domain.protecting(with: ring)
        let importer = CommandImporter(customers: CustomerService(handler: CommandHandler(store: store, registry: registry)), batchSize: batchSize)
        var progress = ProgressLine(label: "import", unit: "commands")
        let report: ImportProgress
        do {
            report = try await importer.importFile(at: file) { report in
                progress.update(done: report.commands, fraction: report.totalBytes > 0 ? Double(report.bytesRead) / Double(report.totalBytes) : nil)
            }
        } catch {
            throw CommandFailure.exit("import", "\(error)")
        }
        let rejected = report.rejected.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        func seconds(_ d: Duration) -> String { String(format: "%.2f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
        progress.finish(done: report.commands, extra: "; \(report.events) events appended, \(report.applied) applied, "
            + "\(report.alreadyImported) already imported, \(report.rejectedCount) rejected\(rejected.isEmpty ? "" : " (\(rejected))"); "
            + "time: decode \(seconds(report.decodeTime)) s, decide \(seconds(report.decideTime)) s, append \(seconds(report.appendTime)) s")
        // Name the first refusals, so they can be found in the file.
        var named = report.refusals.map { "import: \($0)\n" }.joined()
        if report.rejectedCount > report.refusals.count {
            named += "import: … and \(report.rejectedCount - report.refusals.count) more refused\n"
        }
        if !named.isEmpty { FileHandle.standardError.write(Data(named.utf8)) }
    }
}
