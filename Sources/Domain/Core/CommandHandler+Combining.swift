import EventStore
import Foundation
import Synchronization

/// A leader's work (`CommandCombiner`): the commands queued on one stream decided in arrival order,
/// each against the state the earlier ones' events leave, and appended in one atomic append whose
/// parts keep each command's metadata and event ids.
extension CommandHandler {
    /// One command's events in a combined append, and the stream version they were decided at.
    private struct Part {
        let index: Int
        let events: [any DomainEvent]
        let proposed: [ProposedEvent]
        let expected: UInt64
    }

    /// The decisions of one batch: an answer for every command that decided no events or broke a
    /// rule, a part for every other, and the state after all parts.
    private struct Decisions<A: Aggregate> {
        var answers: [Result<Outcome, any Error>?]
        var parts: [Part] = []
        var state: A
        var version: UInt64

        /// Commands before the first part were decided against the committed state, so their
        /// answers hold whatever becomes of the append; later ones saw uncommitted events.
        var firstProvisional: Int { parts.first?.index ?? answers.count }
    }

    /// Decides and appends `own` (first) and `others` on aggregate `id`, answering every one of
    /// `others` or queueing it again; the caller hands the stream off afterwards.
    ///
    /// A version conflict (another process, an import or a multi-stream command wrote the stream)
    /// reloads and decides the batch again, up to `maxAttempts` times. Any other failure of the
    /// append as a whole (an event id stored with other content, an erased subject, storage) wrote
    /// nothing: commands decided against the committed state keep their answers, the later ones
    /// are queued again for the next leader (which, when the batch fails again, runs its own
    /// command alone: every round answers at least one command, so this ends), and the caller's
    /// own command, if it had events, is run alone. A batch of the caller's command only is answered
    /// with the failure (a version conflict after `maxAttempts` as `concurrencyConflict`), as
    /// `executeAlone` would.
    ///
    /// - Returns: the answer for `own`, or nil when it must be run alone.
    func decideTogether<A: Aggregate>(
        _ type: A.Type, id: String, own: CommandCombiner.Command, others: [CommandCombiner.Waiting]
    ) async -> Result<Outcome, any Error>? {
        let stream = A.stream(id)
        let commands = [own] + others.map(\.command)
        var failed: Decisions<A>?  // the last decisions, when their append failed as a whole
        var failure: (any Error)?  // why nothing was decided or appended
        attempts: for _ in 1...maxAttempts {
            let decided: Decisions<A>
            do {
                let loaded = try load(A.self, id: id)
                decided = await decide(commands, from: loaded.state, at: loaded.version)
            } catch {
                (failed, failure) = (nil, error)  // nothing decided: every command is run again
                break attempts
            }
            guard let first = decided.parts.first else {
                return answer(decided.answers.map { $0! }, others: others)
            }
            do {
                let results = try await store.append(decided.parts.map { part in
                    StreamAppend(stream: stream, expected: part.expected == 0 ? .noStream : .exact(part.expected),
                                 events: part.proposed, metadata: commands[part.index].metadata)
                }, metadata: commands[first.index].metadata)
                if commands.count > 1, results.contains(where: \.wasAlreadyStored) {
                    // Every part was stored before (the writer refuses a partly stored append), so
                    // the versions decided here are not the stream's: each command is answered from
                    // the stored copies alone. Nothing was written.
                    (failed, failure) = (decided, nil)
                    break attempts
                }
                var answers = decided.answers
                for (part, result) in zip(decided.parts, results) {
                    answers[part.index] = .success(Outcome(streamVersion: result.streamVersion, positions: result.positions,
                                                           eventTypes: part.events.map(\.eventType),
                                                           wasAlreadyStored: result.wasAlreadyStored))
                }
                if results.contains(where: \.wasAlreadyStored) {
                    cache.remove(stream)
                } else if let last = results.last {
                    cache.put(stream, state: decided.state, version: last.streamVersion)
                }
                if decided.parts.count > 1 { combined.add(decided.parts.count, ordering: .relaxed) }
                return answer(answers.map { $0! }, others: others)
            } catch EventStoreError.wrongExpectedVersion {
                (failed, failure) = (decided, DomainError.concurrencyConflict(stream: stream, attempts: maxAttempts))
                continue  // another writer appended: reload (the cache catches up) and decide again
            } catch {
                (failed, failure) = (decided, error)
                break attempts
            }
        }
        // A command that was alone has its answer: running it alone again would only repeat it.
        if others.isEmpty, let failure { return .failure(failure) }
        // Nothing was written. Answers decided against the committed state stand; the rest go back
        // to the queue (the leader's own command, if among them, is run alone by the caller).
        let settled = failed?.firstProvisional ?? 0
        for index in 0..<settled where index > 0 { others[index - 1].answer(failed!.answers[index]!) }
        combiner.requeue(CommandCombiner.Key(stream: stream, type: ObjectIdentifier(A.self)), Array(others[max(settled, 1) - 1 ..< others.count]))
        return settled > 0 ? failed!.answers[0]! : nil
    }

    /// Decides `commands` in order from `state` at `version`, each against the events of the ones
    /// before it; a command whose decision or encoding throws gets that error and adds nothing.
    private func decide<A: Aggregate>(_ commands: [CommandCombiner.Command], from state: A, at version: UInt64) async -> Decisions<A> {
        var decisions = Decisions<A>(answers: Array(repeating: nil, count: commands.count), state: state, version: version)
        for (index, command) in commands.enumerated() {
            do {
                let events = try command.decide(decisions.state, decisions.version)
                guard !events.isEmpty else {
                    decisions.answers[index] = .success(Outcome(streamVersion: decisions.version, positions: [], eventTypes: [],
                                                                wasAlreadyStored: false))
                    continue
                }
                let proposed = try await registry.encode(events, ids: command.eventIds)
                decisions.parts.append(Part(index: index, events: events, proposed: proposed, expected: decisions.version))
                decisions.state = decisions.state.applying(events)
                decisions.version += UInt64(events.count)
            } catch {
                decisions.answers[index] = .failure(error)
            }
        }
        return decisions
    }

    /// Resumes every one of `others` with its answer (`answers[0]` is the leader's own) and returns
    /// the leader's.
    private func answer(_ answers: [Result<Outcome, any Error>], others: [CommandCombiner.Waiting]) -> Result<Outcome, any Error> {
        for (waiting, result) in zip(others, answers.dropFirst()) { waiting.answer(result) }
        return answers[0]
    }
}
