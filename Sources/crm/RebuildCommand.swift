import ArgumentParser
import Domain
import EventStore
import Foundation
import Projections

/// `crm rebuild`: rebuilds read models from position 1 into shadow generations and swaps them in,
/// reporting the rate and whether the replay reproduced the previous read model exactly.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild read models from the whole log (all, or those named) and report rates.",
        discussion: """
            Without --projector, every read model is rebuilt. A read model that does not exist yet \
            is built for the first time. The server must be stopped (the data directory is locked). \
            Exit code 1 when a projector parks on an event or a replay of the same version does not \
            reproduce the previous read model.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(name: .customLong("projector"), help: ArgumentHelp("A read model to rebuild (repeatable).", valueName: "name"))
    var projectors: [String] = []

    @Flag(help: "Only bring read models up to the head; do not rebuild from position 1.")
    var catchUpOnly = false

    @Option(help: ArgumentHelp("Events per read-model transaction (default 4096).", valueName: "n"))
    var batchSize: Int = 4096

    @Flag(help: "Print each read model's checksum (SHA-256 over its tables).")
    var checksums = false

    @OptionGroup var masterKey: MasterKeyOptions

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let directory = try dataOptions.directory()
        let store = try StoreOpening.openExisting(directory, command: "rebuild")
        defer { store.close() }
        // Read models keep personal values: decode with the data keys where the directory has them.
        let hasKeys = FileManager.default.fileExists(atPath: directory + "/" + SubjectKeyRing.directoryName + "/data.mdb")
        let ring = hasKeys ? try masterKey.open(dataDirectory: directory, create: false, command: "rebuild") : nil
        let registry = ring.map { EventRegistry.domain.protecting(with: $0) } ?? .domain
        let engine: ProjectionEngine
        do {
            engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, registry: registry,
                                          configuration: .init(batchSize: batchSize))
        } catch {
            throw CommandFailure.exit("rebuild", "\(error)")
        }
        let names = projectors.isEmpty ? engine.names : projectors
        for name in names where !engine.names.contains(name) {
            throw CommandFailure.exit("rebuild", "no read model named \(name); known: \(engine.names.joined(separator: ", "))")
        }
        let head = store.headWatch.head
        let before = Dictionary(uniqueKeysWithValues: engine.status().map { ($0.name, $0) })
        if !catchUpOnly {
            for name in names where (before[name]?.checkpoint ?? 0) > 0 { try engine.rebuild(name) }
        }
        let started = ContinuousClock.now
        let progress = Task {
            var line = ProgressLine(label: catchUpOnly ? "catch up" : "rebuild", unit: "events")
            while !Task.isCancelled {
                let statuses = engine.status().filter { names.contains($0.name) }
                let done = statuses.map { $0.rebuild?.checkpoint ?? $0.checkpoint }.min() ?? 0
                line.update(done: Int(done), fraction: head == 0 ? 1 : Double(done) / Double(head))
                try? await Task.sleep(for: .milliseconds(100))
            }
            line.clear()
        }
        var failure: (any Error)?
        do { try await engine.catchUpConcurrently(names) } catch { failure = error }
        progress.cancel()
        // The bar is erased before the results are printed on the same terminal.
        await progress.value
        let elapsed = ContinuousClock.now - started
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        var mismatch = false
        for status in engine.status() where names.contains(status.name) {
            var line = "\(status.name): generation \(status.generation), position \(status.checkpoint), \(status.state.rawValue)"
            if let outcome = status.lastRebuild {
                line += String(format: ", rebuilt in %.2f s (%.0f events/s)", outcome.seconds, Double(outcome.position) / max(outcome.seconds, 0.001))
                if let match = outcome.checksumsMatch {
                    line += match ? ", checksum equal to the previous read model" : ", CHECKSUM DIFFERS from the previous read model"
                    mismatch = mismatch || !match
                }
            }
            if let parked = status.parked { line += ", parked at \(parked.position): \(parked.reason)" }
            if checksums, let checksum = try? engine.checksum(of: status.name) { line += ", checksum \(checksum)" }
            print(line)
        }
        print(String(format: "all: %llu events through %d read models in %.2f s (%.0f log events/s)", head, names.count, seconds, Double(head) / seconds))
        if let failure { throw CommandFailure.exit("rebuild", "\(failure)", code: CommandFailure.problemFound) }
        if mismatch { throw CommandFailure.exit("rebuild", "a rebuild did not reproduce its read model", code: CommandFailure.problemFound) }
    }
}
