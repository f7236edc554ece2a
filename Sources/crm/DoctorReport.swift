import EventStore
import Foundation

/// What `crm doctor` found, printed as text or (`--json`) as this structure.
struct DoctorReport: Codable {
    /// How serious a finding is: a problem makes the exit status 1; a warning is worth a look;
    /// a note is advice.
    enum Severity: String, Codable, Comparable {
        case note, warning, problem

        static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.note, .warning, .problem]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    struct Finding: Codable {
        var severity: Severity
        /// What it is about: `log`, `keys`, `projector customer360`, `chain`, `disk`…
        var subject: String
        var message: String
    }

    struct Head: Codable {
        var position: UInt64
        var hash: String
        var recordedAt: String?
    }

    /// One LMDB environment's usage and readers.
    struct Environment: Codable {
        var name: String
        var path: String
        var usage: EnvironmentUsage
        var liveBytes: UInt64
        var reclaimableBytes: UInt64
        var readers: [ReaderSlot]
        var staleReaders: Int
    }

    /// One read model: its active generation's checkpoint against the log's head.
    struct Projector: Codable {
        var name: String
        var generation: Int?
        var version: Int?
        /// The version this build of crm would run (a different stored one rebuilds at start).
        var codeVersion: Int?
        var checkpoint: UInt64?
        /// Positions between the checkpoint and the head.
        var lagPositions: UInt64?
        /// Of those, events of the types this read model reads: the work it has left.
        var pendingEvents: UInt64?
        /// Recorded-time distance from the first pending event to the head.
        var lagSeconds: Double?
        var state: String
    }

    struct Chain: Codable {
        /// `tail` (from the last signed checkpoint) or `full`.
        var scope: String
        var from: UInt64
        var to: UInt64
        var checkedEvents: UInt64
        var intact: Bool
        var firstBadPosition: UInt64?
        var problem: String?
        var checkpointsVerified: Int
        var authenticated: Bool
        var lastCheckpoint: Checkpoint?
    }

    struct Checkpoint: Codable {
        var position: UInt64
        var hash: String
        var signedAt: String
    }

    struct Disk: Codable {
        var freeBytes: UInt64
        var totalBytes: UInt64
    }

    var directory: String
    var checkedAt: String
    var head: Head
    var environments: [Environment] = []
    var projectors: [Projector] = []
    var chain: Chain?
    var disk: Disk?
    var findings: [Finding] = []
    /// `healthy`, `healthy with warnings` or `problems found`.
    var verdict: String = ""

    mutating func add(_ severity: Severity, _ subject: String, _ message: String) {
        findings.append(Finding(severity: severity, subject: subject, message: message))
    }

    var worst: Severity? { findings.map(\.severity).max() }

    mutating func decide() {
        let problems = findings.filter { $0.severity == .problem }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        verdict = problems > 0 ? "problems found" : warnings > 0 ? "healthy with warnings" : "healthy"
    }
}
