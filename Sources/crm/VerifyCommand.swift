import ArgumentParser
import EventStore
import Foundation

/// `crm verify`: recomputes the whole hash chain and checks the signed checkpoints.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the event log is intact: hash chain, positions and signed checkpoints.",
        discussion: """
            Prints one line. Exit status: 0 when the log is intact; 1 when it is not ("first bad \
            position N: problem"); 2 when it could not be checked (no store, locked by a running \
            server, unreadable key). The checkpoint key defaults to $CRM_CHECKPOINT_KEY, else \
            <dir>/checkpoint.key when that file exists; without a key, checkpoints are compared \
            with the chain but their signatures cannot be authenticated.
            """
    )

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var keyOptions: CheckpointKeyOptions

    func run() async throws {
        let directory = try dataOptions.directory()
        let (keyPath, isDefault) = keyOptions.location(dataDirectory: directory)
        let key: HMACKey? = if !isDefault || FileManager.default.fileExists(atPath: keyPath) {
            try StoreOpening.loadKey(keyPath, create: false, command: "verify")
        } else {
            nil
        }
        let store = try StoreOpening.openExisting(directory, checkpointKey: key, command: "verify")

        // From here the command ends the process itself instead of returning: closing the store
        // signs a checkpoint at the head when a key is configured, and a verification must never
        // write to the log, least of all vouch for a chain it has just found broken. LMDB needs no
        // close for durability and the directory lock dies with the process.
        let total = (try? store.head().position) ?? 0
        var progress = ProgressLine(label: "verify", unit: "events")
        let report: VerificationReport
        do {
            report = try store.verify { checked in
                progress.update(done: Int(checked), fraction: total == 0 ? nil : Double(checked) / Double(total))
            }
        } catch {
            progress.clear()
            printError("crm verify: \(error.description)")
            finish(CommandFailure.couldNotRun)
        }
        progress.clear()
        if let position = report.firstBadPosition {
            print("first bad position \(position): \(report.problem ?? "unknown problem")")
            finish(CommandFailure.problemFound)
        }
        print(Self.summary(report, head: try? store.head(), keyPath: key == nil ? nil : keyPath))
        finish(0)
    }

    /// One line for an intact log.
    static func summary(_ report: VerificationReport, head: LogHead?, keyPath: String?) -> String {
        guard report.to > 0 else { return "intact: the log is empty" }
        var line = "intact: \(report.checkedEvents) events checked (positions \(report.from)…\(report.to))"
        if let head { line += ", head hash \(head.hash.description.prefix(16))…" }
        let checkpoints = report.checkpointsVerified == 1 ? "1 signed checkpoint" : "\(report.checkpointsVerified) signed checkpoints"
        if keyPath == nil {
            line += "; \(checkpoints) matched the chain but were not authenticated (no checkpoint key)"
        } else if let last = report.lastCheckpoint {
            line += "; \(checkpoints) verified, last at \(last.position) (\(RecordedEvent.iso8601(milliseconds: last.signedAt)))"
        } else {
            line += "; no signed checkpoint yet"
        }
        return line
    }
}

/// Ends the process with `code`, flushing standard output first.
private func finish(_ code: Int32) -> Never {
    fflush(nil)
    exit(code)
}
