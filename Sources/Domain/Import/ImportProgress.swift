import Foundation

/// How far an import has come; reported after every batch and at the end.
public struct ImportProgress: Sendable, Equatable {
    /// Commands read from the file.
    public var commands = 0
    /// Commands whose events were appended.
    public var applied = 0
    /// Commands already in the log from an earlier import of the same file (skipped).
    public var alreadyImported = 0
    /// Commands a rule refused, by `DomainError.code`.
    public var rejected: [String: Int] = [:]
    /// The first refused commands (at most `namedRefusals`), in file order: which line, which
    /// command, and why, so that a report can point at them.
    public var refusals: [Refusal] = []
    /// Events appended.
    public var events = 0
    /// Bytes of the file read so far, and its size (for rate and ETA).
    public var bytesRead: Int64 = 0
    public var totalBytes: Int64 = 0

    /// Where the time went: reading and decoding lines, deciding commands, appending batches
    /// (durable commits). Lets a benchmark say what limits the import rate.
    public var decodeTime: Duration = .zero
    public var decideTime: Duration = .zero
    public var appendTime: Duration = .zero

    /// How many refused commands a report names.
    public static let namedRefusals = 10

    public init() {}

    public var rejectedCount: Int { rejected.values.reduce(0, +) }

    /// Adds a committed batch's outcome (its applied, skipped and refused commands and its events).
    mutating func count(_ outcome: ImportProgress) {
        applied += outcome.applied
        alreadyImported += outcome.alreadyImported
        events += outcome.events
        rejected.merge(outcome.rejected, uniquingKeysWith: +)
        refusals += outcome.refusals.prefix(Self.namedRefusals - refusals.count)
    }

    /// Counts a refused command, and names it while fewer than `namedRefusals` are named.
    mutating func refuse(_ refusal: Refusal) {
        rejected[refusal.code, default: 0] += 1
        if refusals.count < Self.namedRefusals { refusals.append(refusal) }
    }

    /// A command a rule refused.
    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        /// Line of the command file (from 1).
        public var line: Int
        public var commandId: UUID
        public var commandType: String
        /// `DomainError.code`.
        public var code: String
        /// `DomainError.description`: the rule and the ids involved.
        public var message: String

        public init(line: Int, commandId: UUID, commandType: String, code: String, message: String) {
            self.line = line
            self.commandId = commandId
            self.commandType = commandType
            self.code = code
            self.message = message
        }

        /// `line 6: MoveOpportunityStage 1F0C…-… refused (required-fields-missing): …`
        public var description: String {
            "line \(line): \(commandType) \(commandId.uuidString) refused (\(code)): \(message)"
        }
    }
}
