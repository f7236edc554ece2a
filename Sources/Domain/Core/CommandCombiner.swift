import EventStore
import Foundation
import Synchronization

/// The queue of commands waiting for their stream, so that commands of this process on one stream
/// are decided one after the other and appended together instead of racing for its version.
///
/// A stream is either idle (no entry) or busy: one task, the leader, is deciding and appending a
/// batch of its commands. A command for a busy stream waits here; when the leader has answered its
/// batch it hands the stream to the first waiting command's task, which leads everything queued at
/// that moment (`CommandHandler.decideTogether`). A stream is thus decided by one task at a time,
/// yet costs one group commit per batch rather than one per command, and no command loses the
/// expected-version check to another command of this process. (One lane per stream without
/// combining, tried before, removed the lost races but paid one commit per command in turn.)
///
/// Every waiting continuation is resumed exactly once: by a leader with the command's answer, or
/// by `handOff` with the lead. Cancelling a waiting task does not withdraw its command: like an
/// append already handed to the writer, it is decided and answered in its turn.
final class CommandCombiner: Sendable {
    /// A command as a leader decides it: the caller's decision, bound to its resolved context, and
    /// what its own append part carries.
    struct Command: Sendable {
        /// Decides against the stream's state (of the caller's aggregate type) and version.
        let decide: @Sendable (any Aggregate, UInt64) throws -> [any DomainEvent]
        /// The caller's actor, source, correlation and reason, written on its own events.
        let metadata: AppendMetadata
        /// Ids for the command's events (idempotent retries); random when nil.
        let eventIds: [UUID]?
    }

    /// What a waiting command's task is told when it is resumed.
    enum Turn: Sendable {
        /// Its answer, decided and appended (or refused) by a leader.
        case answered(Result<CommandHandler.Outcome, any Error>)
        /// It leads: its own command first, then these, in arrival order.
        case lead([Waiting])
    }

    /// A command queued behind its stream's leader, with the continuation of its suspended task.
    struct Waiting: Sendable {
        let command: Command
        let continuation: CheckedContinuation<Turn, Never>

        /// Resumes the waiting task with its answer.
        func answer(_ result: Result<CommandHandler.Outcome, any Error>) {
            continuation.resume(returning: .answered(result))
        }
    }

    /// A stream of one aggregate type (a category names one type; the type is part of the key so
    /// that a leader's cast of the state to a waiting command's type cannot fail).
    struct Key: Hashable, Sendable {
        let stream: String
        let type: ObjectIdentifier
    }

    /// Commands behind each busy stream's leader; a stream without an entry is idle.
    private let waiting = Mutex<[Key: [Waiting]]>([:])
    /// The most commands one leader takes, so one batch's decisions and append stay short.
    let maxBatch: Int

    init(maxBatch: Int = 256) { self.maxBatch = maxBatch }

    /// Queues `command` for `key`'s stream: leads at once (`.lead([])`) when the stream is idle,
    /// otherwise suspends until a leader answers it or hands it the lead.
    func join(_ key: Key, _ command: Command) async -> Turn {
        let leadsNow = waiting.withLock { queues in
            guard queues[key] == nil else { return false }
            queues[key] = []
            return true
        }
        if leadsNow { return .lead([]) }
        return await withCheckedContinuation { continuation in
            // The stream may have gone idle since the check above.
            let leads = waiting.withLock { queues in
                guard queues[key] != nil else {
                    queues[key] = []
                    return true
                }
                queues[key]!.append(Waiting(command: command, continuation: continuation))
                return false
            }
            if leads { continuation.resume(returning: .lead([])) }
        }
    }

    /// Called by a leader when its batch is answered: makes the stream idle, or hands it to the
    /// first waiting command's task with everything queued now (up to `maxBatch`).
    func handOff(_ key: Key) {
        let next: (first: Waiting, rest: [Waiting])? = waiting.withLock { queues in
            guard let queue = queues[key], let first = queue.first else {
                queues[key] = nil
                return nil
            }
            let taken = min(queue.count, maxBatch)
            queues[key] = Array(queue.dropFirst(taken))
            return (first, Array(queue[1..<taken]))
        }
        if let next { next.first.continuation.resume(returning: .lead(next.rest)) }
    }

    /// Puts commands of a failed batch back at the front of the queue, in their order, for the
    /// next leader (the caller still leads, so the stream is busy and has an entry).
    func requeue(_ key: Key, _ commands: [Waiting]) {
        guard !commands.isEmpty else { return }
        waiting.withLock { queues in
            queues[key, default: []].insert(contentsOf: commands, at: 0)
        }
    }
}
