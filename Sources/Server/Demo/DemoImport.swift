import EventStore
import Foundation
import Logging

/// Loads the demo history (`Fixtures/demo-events.ndjson`) into a store, idempotently.
///
/// Each line is one event: `{"stream", "type", "schemaVersion"?, "data", "actor": {"id", "role"},
/// "source": {"clientAddress", "userAgent", "host"}, "reason"}`. Lines are appended in file order,
/// so on an empty log line N becomes position N: up to `chunkSize` lines per atomic append, one
/// part per line with that line's actor, source and reason, all with expected version `.any`.
/// Event and correlation ids are derived from line numbers, so importing the same file again
/// writes nothing and an interrupted import can be completed.
public struct DemoImport: Sendable {
    /// What an import did.
    public struct Outcome: Sendable, Equatable {
        /// Events in the fixture file.
        public var events: Int
        /// Events this run wrote.
        public var appended: Int
        /// Events that were already stored by an earlier import.
        public var alreadyStored: Int
        /// Why nothing was imported, when nothing was.
        public var skipped: String?

        /// An outcome with these counts.
        public init(events: Int, appended: Int, alreadyStored: Int, skipped: String?) {
            self.events = events
            self.appended = appended
            self.alreadyStored = alreadyStored
            self.skipped = skipped
        }
    }

    /// Why a fixture file cannot be imported.
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        /// 1-based line number, or nil for the whole file.
        public var line: Int?
        public var reason: String

        public var description: String {
            "demo fixtures \(path)\(line.map { ", line \($0)" } ?? ""): \(reason)"
        }
    }

    /// One line of the fixture file.
    struct Line: Decodable, Equatable {
        var stream: String
        var type: String
        var schemaVersion: UInt16?
        var data: JSONValue
        var actor: Actor
        var source: Source
        var reason: String?
    }

    /// The parsed fixture lines, in file order (blank lines skipped, numbers kept).
    let lines: [(number: Int, line: Line)]
    let path: String

    /// Reads and parses `path`.
    ///
    /// - Throws: `Failure` when the file cannot be read or a line is not a valid event.
    public init(contentsOf path: String) throws(Failure) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(path: path, line: nil, reason: "cannot read the file (pass its path with --fixtures)")
        }
        let decoder = JSONDecoder()
        var lines: [(Int, Line)] = []
        for (index, text) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard text.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
            do {
                lines.append((index + 1, try decoder.decode(Line.self, from: Data(text))))
            } catch {
                throw Failure(path: path, line: index + 1, reason: "not a valid event line (\(error))")
            }
        }
        self.lines = lines
        self.path = path
    }

    /// The number of events in the file.
    public var count: Int { lines.count }

    /// The deterministic id of the event on line `line` (1-based).
    public static func eventId(line: Int) -> UUID {
        UUID(uuidString: String(format: "de3e0000-0000-4000-8000-%012d", line))!
    }

    static func correlationId(line: Int) -> UUID {
        UUID(uuidString: String(format: "de3e0000-0000-4000-9000-%012d", line))!
    }

    /// Imports when the log is empty, completes an import that was interrupted, and otherwise
    /// leaves the store alone: a log that holds other events is never mixed with demo data.
    public func importIfEmpty(into store: EventStore, logger: Logger) async throws -> Outcome {
        guard let first = lines.first, let last = lines.last else {
            return Outcome(events: 0, appended: 0, alreadyStored: 0, skipped: "the fixture file holds no events")
        }
        if try store.event(id: Self.eventId(line: last.number)) != nil {
            return Outcome(events: count, appended: 0, alreadyStored: count, skipped: "the demo events are already imported")
        }
        if try store.head().position > 0, try store.event(id: Self.eventId(line: first.number)) == nil {
            return Outcome(events: count, appended: 0, alreadyStored: 0, skipped: "the log already holds other events")
        }
        return try await run(into: store, logger: logger)
    }

    /// Lines committed together in one atomic append; boundaries fall at fixed line indexes, so an
    /// interrupted import of the same file leaves whole chunks behind.
    static let chunkSize = 500

    /// Appends every event (idempotently: what is already stored is left as it is).
    public func run(into store: EventStore, logger: Logger) async throws -> Outcome {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var outcome = Outcome(events: count, appended: 0, alreadyStored: 0, skipped: nil)
        for start in stride(from: 0, to: lines.count, by: Self.chunkSize) {
            let parts = try lines[start..<Swift.min(start + Self.chunkSize, lines.count)].map { number, line in
                StreamAppend(
                    stream: line.stream, expected: .any,
                    events: [ProposedEvent(id: Self.eventId(line: number), type: line.type, schemaVersion: line.schemaVersion ?? 1,
                                           data: Array(try encoder.encode(line.data)))],
                    metadata: AppendMetadata(actor: line.actor, source: line.source,
                                             correlationId: Self.correlationId(line: number), reason: line.reason))
            }
            do {
                let results = try await store.append(parts, metadata: parts[0].metadata!)
                if results.allSatisfy(\.wasAlreadyStored) { outcome.alreadyStored += parts.count } else { outcome.appended += parts.count }
            } catch EventStoreError.eventIdConflict {
                // Part of this chunk was stored by an import with other boundaries (a shorter file):
                // each line on its own is still idempotent.
                for part in parts {
                    let result = try await store.append([part], metadata: part.metadata!)[0]
                    if result.wasAlreadyStored { outcome.alreadyStored += 1 } else { outcome.appended += 1 }
                }
            }
        }
        logger.info("demo import finished", metadata: [
            "events": "\(outcome.events)", "appended": "\(outcome.appended)", "alreadyStored": "\(outcome.alreadyStored)",
        ])
        return outcome
    }
}
