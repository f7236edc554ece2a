import ArgumentParser
import Domain
import EventStore
import Foundation
import Projections

/// `crm replay`: re-derives the customer state cycle under another rule set into a named scratch
/// read model and prints its transition report beside the live one's, for retrospective analysis
/// ("what if at-risk started after 60 days instead of 90?").
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay the state cycle under other rules into a scratch read model and compare it with the live one.",
        discussion: """
            --rules takes a JSON rule set; `crm replay --print-rules` prints the standard one to start \
            from. The scratch read model stays in <data>/projections/_scratch/<name> for queries. \
            --from/--through choose the log positions replayed (--until takes a time instead); the \
            report covers the business-time period --period-from … --period-to (default: all).
            """)

    @OptionGroup var dataOptions: DataOptions

    @Option(name: .customLong("as"), help: ArgumentHelp("Name of the scratch read model (letters, digits, - and _).", valueName: "name"))
    var scratchName: String = "replay"

    @Option(help: ArgumentHelp("A JSON rule set (StateCycleRules).", valueName: "file"))
    var rules: String?

    @Flag(help: "Print the standard rule set as JSON and exit.")
    var printRules = false

    @Option(help: "First log position to replay.")
    var from: UInt64 = 1

    @Option(help: "Last log position to replay (default: the head).")
    var through: UInt64?

    @Option(help: ArgumentHelp("Replay up to the last event recorded at or before this ISO-8601 time.", valueName: "time"))
    var until: String?

    @Option(name: .customLong("period-from"), help: ArgumentHelp("Report period start (ISO-8601 date or time).", valueName: "time"))
    var periodFrom: String?

    @Option(name: .customLong("period-to"), help: ArgumentHelp("Report period end, exclusive.", valueName: "time"))
    var periodTo: String?

    func run() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if printRules {
            print(String(decoding: try encoder.encode(StateCycleRules.standard), as: UTF8.self))
            return
        }
        guard let rules else { throw CommandFailure.exit("replay", "--rules FILE is required (see --print-rules)", code: 64) }
        let other: StateCycleRules
        do {
            other = try JSONDecoder().decode(StateCycleRules.self, from: Data(contentsOf: URL(fileURLWithPath: rules)))
        } catch {
            throw CommandFailure.exit("replay", "cannot read the rule set \(rules): \(error)")
        }
        let periodStart = try periodFrom.map { try Self.time($0, "--period-from") } ?? 0
        let periodEnd = try periodTo.map { try Self.time($0, "--period-to") } ?? Int64.max / 2
        guard periodStart < periodEnd else { throw CommandFailure.exit("replay", "--period-to must be after --period-from", code: 64) }

        let directory = try dataOptions.directory()
        let store = try StoreOpening.openExisting(directory, command: "replay")
        defer { store.close() }
        let live = StateCycleProjector()
        do {
            let engine = try ProjectionEngine(store: store, projectors: [live])
            var last = through ?? store.headWatch.head
            if let until { last = min(last, try engine.position(at: try Self.time(until, "--until"))) }
            guard from <= last else { throw CommandFailure.exit("replay", "nothing to replay: --from \(from) is after position \(last)", code: 64) }
            let head = store.headWatch.head
            let catchUp = Self.showProgress(label: "catch up \(live.name)", from: 0, through: head) {
                engine.status().first?.checkpoint ?? 0
            }
            do { try await engine.catchUpConcurrently() } catch {
                catchUp.cancel()
                throw error
            }
            // A read model whose last events of its types lie before the head keeps a lower
            // checkpoint: the bar ends when the catch-up does, not when it reaches the head.
            catchUp.cancel()
            await catchUp.value
            let reached = PositionTracker()
            let replaying = Self.showProgress(label: "replay \(scratchName)", from: from - 1, through: last) { reached.current }
            let scratch: ProjectionGeneration
            do {
                scratch = try await engine.replay(ProgressReportingProjector(base: StateCycleProjector(rules: other), reached: reached),
                                                  as: scratchName, from: from, through: last)
            } catch {
                replaying.cancel()
                throw error
            }
            replaying.cancel()
            await replaying.value
            let liveReport = try engine.read(live.name) { try StateCycleQueries.transitions($0, from: periodStart, to: periodEnd) }
            let replayReport = try scratch.read { try StateCycleQueries.transitions($0, from: periodStart, to: periodEnd) }
            print("state cycle: live rules v\(StateCycleRules.standard.version) over positions 1…\(store.headWatch.head); "
                  + "replay '\(scratchName)' rules v\(other.version) over positions \(from)…\(last)")
            print(Self.comparison(liveReport, replayReport))
        } catch let failure as ExitCode {
            throw failure
        } catch {
            throw CommandFailure.exit("replay", "\(error)")
        }
    }

    /// Draws a progress bar over positions `(from, through]` from `position()` until the task is
    /// cancelled or the position reaches `through`; then erases it.
    static func showProgress(label: String, from: UInt64, through: UInt64, _ position: @escaping @Sendable () -> UInt64) -> Task<Void, Never> {
        Task {
            var line = ProgressLine(label: label, unit: "positions")
            let total = through > from ? through - from : 0
            while !Task.isCancelled {
                let done = min(position(), through) &- min(from, position())
                line.update(done: Int(done), fraction: total == 0 ? 1 : Double(done) / Double(total))
                if position() >= through { break }
                try? await Task.sleep(for: .milliseconds(100))
            }
            line.clear()
        }
    }

    static func time(_ text: String, _ option: String) throws -> Int64 {
        let full = text.count == 10 ? text + "T00:00:00Z" : text
        guard let date = Timestamp.parse(full) else { throw CommandFailure.exit("replay", "\(option) '\(text)' is not an ISO-8601 date or time", code: 64) }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// A markdown table: each measure, live and replayed, and the difference.
    static func comparison(_ live: StateTransitionReport, _ replay: StateTransitionReport) -> String {
        var rows: [(String, Int, Int)] = [
            ("registered", live.registered, replay.registered), ("new customers", live.newCustomers, replay.newCustomers),
            ("lost", live.lost, replay.lost), ("won back", live.wonBack, replay.wonBack), ("merged", live.merged, replay.merged),
            ("value upgrades", live.valueUpgrades, replay.valueUpgrades), ("value downgrades", live.valueDowngrades, replay.valueDowngrades),
            ("risk rises", live.riskRises, replay.riskRises), ("risk falls", live.riskFalls, replay.riskFalls),
        ]
        let liveCells = Dictionary(live.states.map { ("\($0.from) → \($0.to)", $0.count) }, uniquingKeysWith: +)
        let replayCells = Dictionary(replay.states.map { ("\($0.from) → \($0.to)", $0.count) }, uniquingKeysWith: +)
        for key in Set(liveCells.keys).union(replayCells.keys).sorted() {
            rows.append((key, liveCells[key] ?? 0, replayCells[key] ?? 0))
        }
        var out = "| measure | live | replay | difference |\n|---|---|---|---|\n"
        for (name, a, b) in rows { out += "| \(name) | \(a) | \(b) | \(b - a >= 0 ? "+" : "")\(b - a) |\n" }
        return out
    }
}
