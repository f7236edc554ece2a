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

        /// Commands before the first part were decided against the state the batch started from
        /// (on the log, their answers hold whatever becomes of the append); later ones saw events
        /// of this batch that may never be written.
        var firstProvisional: Int { parts.first?.index ?? answers.count }
    }

    /// How a leader's round ended.
    enum Round {
        /// The leader's own answer; every other command of the batch is answered too.
        case answered(Result<Outcome, any Error>)
        /// The append lost its expected version (another writer, or a batch it was decided on top
        /// of failed): decide these again, the leader's own first.
        case again([CommandCombiner.Waiting])
        /// The append failed as a whole for another reason and wrote nothing: the leader's own
        /// command must be run alone, and these (not answered) again after it.
        case alone([CommandCombiner.Waiting])
    }

    /// Decides `own` (first) and the lead's others on aggregate `id`, on the lead's tip or the log,
    /// and appends them in one append; passes the lead on once the append is queued (or when there
    /// is nothing to append), and answers every one of the others unless the round says otherwise.
    ///
    /// Any failure of the append as a whole voids what was decided on top of it (`finished`).
    /// A version conflict (another process, an import or a multi-stream command wrote the stream,
    /// or the batch below this one failed) decides the batch again, up to `maxAttempts` rounds; the
    /// last one settles like any other failure. Any other failure (an event id stored with other
    /// content, an erased subject, storage) wrote nothing: commands decided before the first one
    /// with events keep their answers, the later ones are queued again for the next leader (which,
    /// when the batch fails again, runs its own command alone: every round answers at least one
    /// command, so this ends), and the leader's own command, if it had events, is run alone. A batch
    /// of the leader's command only is answered with the failure, as `executeAlone` would.
    func decideTogether<A: Aggregate>(
        _ type: A.Type, id: String, key: CommandCombiner.Key, own: CommandCombiner.Command, lead: CommandCombiner.Lead, lastAttempt: Bool
    ) async -> Round {
        let stream = A.stream(id)
        let others = lead.others
        let commands = [own] + others.map(\.command)
        let base: (state: A, version: UInt64)
        if let tip = lead.tip {
            // Commands share a lane only with commands of the same aggregate type (the key holds it).
            guard let state = tip.state as? A else { preconditionFailure("a tip of another aggregate type") }
            base = (state, tip.version)
        } else {
            do {
                base = try load(A.self, id: id)
            } catch {
                combiner.release(key)
                return .answered(answer(Array(repeating: .failure(error), count: commands.count), others: others))
            }
        }
        let decided = await decide(commands, from: base.state, at: base.version)
        guard let first = decided.parts.first, let lastEventId = decided.parts.last?.proposed.last?.id else {
            if lead.tip != nil {
                // Refusals and no-ops decided on a batch still in flight would be wrong should it
                // fail, and no append of this batch will tell: wait for the log, decide on it.
                let epoch = await combiner.drain(key)
                return await decideTogether(A.self, id: id, key: key, own: own, lead: CommandCombiner.Lead(others: others, tip: nil, epoch: epoch),
                                            lastAttempt: lastAttempt)
            }
            combiner.release(key)
            return .answered(answer(decided.answers.map { $0! }, others: others))
        }
        let tip = CommandCombiner.Tip(state: decided.state, version: decided.version, lastEventId: lastEventId, epoch: lead.epoch)
        let appends = decided.parts.enumerated().map { offset, part in
            StreamAppend(stream: stream, expected: part.expected == 0 ? .noStream : .exact(part.expected), events: part.proposed,
                         metadata: commands[part.index].metadata, lastEventId: offset == 0 ? lead.tip?.lastEventId : nil)
        }
        let failure: (any Error)?
        do {
            let results = try await store.append(appends, metadata: commands[first.index].metadata) {
                combiner.queued(key, tip: tip)
            }
            let stored = results.contains(where: \.wasAlreadyStored)
            if stored {
                cache.remove(stream)
            } else if let last = results.last {
                cache.put(stream, state: decided.state, version: last.streamVersion)
            }
            combiner.finished(key, tip: tip, failed: stored)
            if !(commands.count > 1 && stored) {
                var answers = decided.answers
                for (part, result) in zip(decided.parts, results) {
                    answers[part.index] = .success(Outcome(streamVersion: result.streamVersion, positions: result.positions,
                                                           eventTypes: part.events.map(\.eventType),
                                                           wasAlreadyStored: result.wasAlreadyStored))
                }
                if decided.parts.count > 1 { combined.add(decided.parts.count, ordering: .relaxed) }
                if lead.tip != nil { pipelined.add(1, ordering: .relaxed) }
                return .answered(answer(answers.map { $0! }, others: others))
            }
            // Every part was stored before (the writer refuses a partly stored append), so the
            // versions decided here are not the stream's: each command is answered from the stored
            // copies alone. Nothing was written.
            failure = nil
        } catch EventStoreError.wrongExpectedVersion {
            combiner.finished(key, tip: tip, failed: true)
            guard lastAttempt else { return .again(others) }
            failure = DomainError.concurrencyConflict(stream: stream, attempts: maxAttempts)
        } catch {
            combiner.finished(key, tip: tip, failed: true)
            failure = error
        }
        // A command that was alone has its answer: running it alone again would only repeat it.
        if others.isEmpty, let failure { return .answered(.failure(failure)) }
        // Nothing was written. Answers decided on the log before the first command with events
        // stand (on a tip, none does); the rest go back to the queue (the leader's own command, if
        // among them, is run alone).
        let settled = lead.tip == nil ? decided.firstProvisional : 0
        for index in 0..<settled where index > 0 { others[index - 1].answer(decided.answers[index]!) }
        let rest = Array(others[max(settled, 1) - 1 ..< others.count])
        guard settled > 0 else { return .alone(rest) }
        combiner.requeue(key, rest)
        return .answered(decided.answers[0]!)
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
