import Domain
import EventStore
import Foundation
import Logging
import Synchronization

/// Runs one projector: catches its live generation up with the log and keeps it live, builds a
/// shadow generation from position 1 when the projector's version changed or a rebuild was
/// asked for, and swaps the shadow in atomically once it has caught up.
///
/// Everything that writes happens inside `step`, and steps are serialised (`stepping`), so the
/// live generation, the shadow and the swap never race even when a loop and a `catchUp` (or two
/// loops) drive the same runner; other tasks only read `state` (status, the active generation).
final class ProjectorRunner: Sendable {
    struct State {
        var active: ProjectionGeneration
        var activeVersion: Int
        /// The active generation was built by this projector version in the current encoding.
        var activeIsCurrent: Bool
        var shadow: ProjectionGeneration?
        var rebuildRequested = false
        var phase: ProjectorStatus.State = .starting
        var parked: ProjectorStatus.Parked?
        var lastRebuild: ProjectorStatus.RebuildOutcome?
        var rebuildStarted: ContinuousClock.Instant?
        /// The checkpoint of the last commit and how far beyond it the runner has read without
        /// finding an event of its types: the read model at `basis` is also the one at `scanned`.
        var basis: UInt64 = 0
        var scanned: UInt64 = 0
        /// (time, total events consumed) samples for the rate.
        var samples: [(ContinuousClock.Instant, UInt64)] = []
        var consumed: UInt64 = 0
    }

    let projector: any Projector
    let directory: String
    let feed: EventFeed
    /// The position the active read model reflects, for read-your-writes waits.
    let reflected: PositionWatch
    /// Bumped to wake the runner (a rebuild was asked for).
    private let wakeups = PositionWatch(head: 0)
    private let wakeupCount = Atomic<UInt64>(0)
    private let state: Mutex<State>
    /// Held for the whole of one step: a step reads the state, writes LMDB outside the state lock
    /// and then publishes, so two steps at once (the engine's loop and a `catchUp`, or two
    /// loops) would both open the same shadow generation or apply one batch twice.
    private let stepping = Mutex(())
    /// The mask of the projector's event types (`AppendedTypes`); nil when it folds every type.
    private let typeMask: AppendedTypes.Mask?
    private let logger: Logger
    /// Told when the runner applies a `SubjectErased` (the engine drops its as-of snapshots, which
    /// may hold the erased values).
    private let erasureObserver: @Sendable () -> Void

    var store: EventStore { feed.store }

    init(projector: any Projector, directory: String, feed: EventFeed, logger: Logger,
         erasureObserver: @escaping @Sendable () -> Void = {}) throws {
        self.projector = projector
        self.directory = directory
        self.feed = feed
        self.logger = logger
        self.erasureObserver = erasureObserver
        typeMask = projector.eventTypes.map { AppendedTypes.Mask(projecting: $0) }
        let head = feed.store.headWatch.head
        let fm = FileManager.default
        try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let activeNumber = Self.readActivePointer(in: directory)
        let active: ProjectionGeneration
        if let activeNumber, fm.fileExists(atPath: Self.path(directory, activeNumber)) {
            active = try ProjectionGeneration(directory: Self.path(directory, activeNumber), number: activeNumber, projector: projector)
        } else {
            active = try ProjectionGeneration(directory: Self.path(directory, 1), number: 1, projector: projector, createdAtHead: head)
            try Self.writeActivePointer(1, in: directory)
        }
        let record = try active.record()
        var initial = State(active: active, activeVersion: record?.version ?? projector.version,
                            activeIsCurrent: record?.isCurrent(for: projector) ?? true)
        initial.basis = record?.checkpoint ?? 0
        initial.scanned = initial.basis
        // A shadow left by an earlier run for this version resumes; any other leftover goes.
        for entry in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] {
            guard entry.hasPrefix("gen-"), let number = Int(entry.dropFirst(4)), number != active.number else { continue }
            let path = Self.path(directory, number)
            if number > active.number, initial.shadow == nil,
               let shadow = try? ProjectionGeneration(directory: path, number: number, projector: projector),
               (try? shadow.record())??.isCurrent(for: projector) == true {
                initial.shadow = shadow
            } else {
                try? fm.removeItem(atPath: path)
            }
        }
        if !initial.activeIsCurrent, initial.shadow == nil {
            initial.shadow = try ProjectionGeneration(directory: Self.path(directory, active.number + 1), number: active.number + 1,
                                                      projector: projector, createdAtHead: head)
            initial.rebuildStarted = .now
        }
        // An erasure applied before the last stop whose purge did not finish: purge now (a shadow
        // replaces this generation anyway, and is checked itself when it is swapped in).
        if record?.mayHoldErasedValues == true, initial.shadow == nil { initial.rebuildRequested = true }
        state = Mutex(initial)
        reflected = PositionWatch(head: initial.basis)
    }

    static func path(_ directory: String, _ number: Int) -> String { "\(directory)/gen-\(number)" }

    static func readActivePointer(in directory: String) -> Int? {
        guard let text = try? String(contentsOfFile: "\(directory)/ACTIVE", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Replaces the pointer file atomically (write, sync, rename), so a crash leaves either the
    /// old generation or the new one active, never neither.
    static func writeActivePointer(_ number: Int, in directory: String) throws {
        let temporary = "\(directory)/ACTIVE.tmp"
        let data = Data("\(number)\n".utf8)
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw ProjectionError.storage("cannot write \(temporary)")
        }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temporary, "\(directory)/ACTIVE") == 0 else {
            throw ProjectionError.storage("cannot replace \(directory)/ACTIVE: errno \(errno)")
        }
        let dir = open(directory, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
    }

    /// The generation queries read.
    var active: ProjectionGeneration { state.withLock { $0.active } }

    /// Runs `body` on the active read model, with the furthest position it is known to reflect.
    func read<T>(_ body: (ReadModelReader) throws -> T) throws -> T {
        let (generation, basis, scanned) = state.withLock { ($0.active, $0.basis, $0.scanned) }
        return try generation.read { reader in
            var reader = reader
            if reader.position == basis, scanned > basis { reader = reader.reflecting(scanned) }
            return try body(reader)
        }
    }

    /// Asks for a rebuild into a shadow generation; the current one keeps serving meanwhile.
    func requestRebuild() {
        state.withLock { $0.rebuildRequested = true }
        wake()
    }

    private func wake() {
        let count = wakeupCount.add(1, ordering: .acquiringAndReleasing).newValue
        wakeups.advance(to: count)
    }

    /// The first and the longest pause before a batch refused for lack of disk space is retried.
    static let storageRetry: (first: Duration, longest: Duration) = (.milliseconds(250), .seconds(2))

    /// The loop; returns when the task is cancelled, the store closes, or the projector parks on
    /// an event. A full disk is waited out instead: the runner shows as parked (with the reason),
    /// retries the same batch with a growing pause, and goes back to work once it commits.
    ///
    /// Each step runs on a thread of the runner's own (`ProjectorThread`), so its reads, decoding
    /// and fsync never hold a thread of the cooperative pool that every other task needs.
    func run() async {
        let thread = ProjectorThread(name: "crm-proj-\(projector.name)")
        defer { thread.stop() }
        var storageRetry: Duration?
        while !Task.isCancelled {
            do {
                // Read before the step: a wake-up that comes after the step looked at the state
                // must end the sleep below, not be counted as already seen.
                let wakeupsSeen = wakeupCount.load(ordering: .acquiring)
                let worked = passesOver() ? false : try await thread.perform { try self.step() }
                if storageRetry != nil {
                    storageRetry = nil
                    resumeAfterStorageFailure()
                }
                if worked { continue }
                let (waitFrom, phase) = state.withLock { ($0.scanned, $0.phase) }
                if phase == .catchingUp || phase == .starting { setPhase(.live) }
                guard await waitForWork(beyond: waitFrom, wakeupsSeen: wakeupsSeen) else { break }
            } catch let failure as ApplyFailure {
                park(at: failure.position, failure.reason)
                return
            } catch EventStoreError.insufficientStorage(let reason) {
                // Nothing of the batch was kept (its transaction rolled back), so retrying it
                // later applies it exactly once.
                let pause = storageRetry.map { min($0 * 2, Self.storageRetry.longest) } ?? Self.storageRetry.first
                if storageRetry == nil {
                    park(at: state.withLock { $0.scanned + 1 }, "insufficient storage, retrying until space is freed: \(reason)")
                }
                storageRetry = pause
                do { try await Task.sleep(for: pause) } catch { break }
            } catch {
                let position = state.withLock { $0.scanned + 1 }
                park(at: position, "\(error)")
                return
            }
        }
        state.withLock { if $0.phase != .parked { $0.phase = .stopped } }
    }

    /// Runs until the active generation reflects the head as it was at the call (and any
    /// rebuild has swapped in). For the command line and tests.
    func catchUp() throws {
        do {
            while try step() {}
        } catch is ApplyFailure {
            // Parked by `step`; reported below.
        }
        if let parked = state.withLock({ $0.parked }) {
            throw ProjectionError.parked(projector: projector.name, position: parked.position, reason: parked.reason)
        }
    }

    /// One unit of work; false when there was nothing to do.
    func step() throws -> Bool {
        do {
            return try stepping.withLock { _ in try stepUnchecked() }
        } catch let failure as ApplyFailure {
            park(at: failure.position, failure.reason)
            throw failure
        }
    }

    private func stepUnchecked() throws -> Bool {
        let snapshot = state.withLock { state -> (ProjectionGeneration, Bool, ProjectionGeneration?, Bool, UInt64) in
            (state.active, state.activeIsCurrent, state.shadow, state.rebuildRequested, state.scanned)
        }
        let (active, activeIsCurrent, shadow, rebuildRequested, scanned) = snapshot
        if rebuildRequested, shadow == nil {
            let next = try ProjectionGeneration(directory: Self.path(directory, active.number + 1), number: active.number + 1,
                                                projector: projector, createdAtHead: store.headWatch.head)
            state.withLock {
                $0.shadow = next
                $0.rebuildRequested = false
                $0.rebuildStarted = .now
            }
            return true
        }
        var worked = false
        if let shadow {
            setPhase(.rebuilding)
            let head = store.headWatch.head
            let target = activeIsCurrent ? scanned : head
            let checkpoint = try shadow.record()?.checkpoint ?? 0
            if checkpoint < target {
                let (events, reached) = try feed.next(after: checkpoint, through: target, types: projector.eventTypes,
                                                      decode: projector.decodesPayloads, needsKeys: projector.keepsPersonalData)
                _ = try shadow.apply(events, checkpoint: reached, projector: projector)
                // The shadow of a new version runs ahead of the old read model, which no longer moves.
                if !activeIsCurrent, containsErasure(events) { erasureObserver() }
                worked = true
            } else {
                try swap(to: shadow, from: active, activeIsCurrent: activeIsCurrent, at: checkpoint)
                return true
            }
        }
        if activeIsCurrent {
            let head = store.headWatch.head
            if scanned < head {
                let (events, reached) = try feed.next(after: scanned, through: head, types: projector.eventTypes,
                                                      decode: projector.decodesPayloads, needsKeys: projector.keepsPersonalData)
                if !events.isEmpty {
                    let record = try active.apply(events, checkpoint: reached, projector: projector)
                    let erased = containsErasure(events)
                    // A purge is due when this generation was created before the erasure (a read model
                    // built from scratch after it never saw the values), unless a shadow begun after
                    // the erasure will replace it anyway.
                    let purge = try erased && record.mayHoldErasedValues
                        && (shadow.map { try ($0.record()?.createdAtHead ?? 0) < (record.lastErasure ?? 0) } ?? true)
                    state.withLock {
                        $0.basis = record.checkpoint
                        if purge { $0.rebuildRequested = true }
                    }
                    if erased {
                        if purge {
                            logger.notice("projector \(projector.name) applied an erasure; rebuilding so that no page keeps the erased values",
                                          metadata: ["position": "\(record.lastErasure ?? 0)"])
                        }
                        erasureObserver()
                    }
                }
                markScanned(from: scanned, to: reached)
                worked = true
            }
        }
        return worked
    }

    /// Records that the log up to `reached` has been read, and publishes it.
    private func markScanned(from scanned: UInt64, to reached: UInt64) {
        state.withLock { state in
            state.scanned = reached
            state.consumed += reached - scanned
            state.samples.append((.now, state.consumed))
            if state.samples.count > 64 { state.samples.removeFirst(state.samples.count - 64) }
            if state.phase == .starting { state.phase = .catchingUp }
        }
        reflected.advance(to: reached)
    }

    /// Moves a live runner's position to the head without a step when every commit since
    /// appended only types the projector does not fold (`EventStore.appendedTypes`): no thread hop,
    /// no read of the log. Each customer 360 read appends an access event that eight projectors of
    /// nine ignore, and waking each of them for a step that found nothing cost ~6 % of a read's
    /// CPU. True when it moved to the head; false when a step is needed (or another holds the
    /// runner), which then does what it always did.
    private func passesOver() -> Bool {
        guard let typeMask else { return false }
        return stepping.withLockIfAvailable { _ -> Bool in
            let head = store.headWatch.head
            let (scanned, idle) = state.withLock { state in
                (state.scanned, state.phase == .live && state.shadow == nil && !state.rebuildRequested && state.activeIsCurrent)
            }
            guard idle, scanned < head, let appended = store.appendedTypes.mask(after: scanned, through: head),
                  !appended.intersects(typeMask) else { return false }
            markScanned(from: scanned, to: head)
            return true
        } ?? false
    }

    private func swap(to shadow: ProjectionGeneration, from old: ProjectionGeneration, activeIsCurrent: Bool, at position: UInt64) throws {
        let started = state.withLock { $0.rebuildStarted } ?? .now
        let newChecksum = try shadow.checksum()
        var oldChecksum: SHA256Digest?
        if activeIsCurrent { oldChecksum = try old.checksum() }
        try Self.writeActivePointer(shadow.number, in: directory)
        let record = try shadow.record()
        // A subject erased while the shadow was built may have been read before its keys went.
        let purgeAgain = record?.mayHoldErasedValues == true
        let outcome = ProjectorStatus.RebuildOutcome(
            fromGeneration: old.number, toGeneration: shadow.number, position: position,
            oldChecksum: oldChecksum?.description, newChecksum: newChecksum.description,
            checksumsMatch: oldChecksum.map { $0 == newChecksum },
            seconds: (ContinuousClock.now - started).seconds)
        state.withLock { state in
            state.active = shadow
            state.activeVersion = projector.version
            state.activeIsCurrent = true
            state.shadow = nil
            state.rebuildStarted = nil
            state.basis = record?.checkpoint ?? position
            state.scanned = max(position, state.basis)
            state.lastRebuild = outcome
            state.phase = .catchingUp
            if purgeAgain { state.rebuildRequested = true }
        }
        if outcome.checksumsMatch == false {
            logger.error("rebuild of \(projector.name) differs from the read model it replaced", metadata: [
                "position": "\(position)", "old": "\(outcome.oldChecksum ?? "")", "new": "\(outcome.newChecksum)"])
        } else {
            logger.info("rebuilt \(projector.name) into generation \(shadow.number)", metadata: ["position": "\(position)"])
        }
        reflected.advance(to: position)
        try? FileManager.default.removeItem(atPath: old.directory)
    }

    /// Whether a batch holds an erasure this projector folds (its read model keeps personal data).
    private func containsErasure(_ events: [ProjectedEvent]) -> Bool {
        projector.keepsPersonalData && events.contains { $0.envelope.type == SubjectErased.eventType }
    }

    private func setPhase(_ phase: ProjectorStatus.State) {
        state.withLock { if $0.phase != .parked { $0.phase = phase } }
    }

    /// Clears the parking a full disk caused, once a step went through again.
    private func resumeAfterStorageFailure() {
        logger.notice("projector \(projector.name) resumed: space was freed")
        state.withLock {
            $0.parked = nil
            if $0.phase == .parked { $0.phase = $0.shadow == nil ? .catchingUp : .rebuilding }
        }
    }

    private func park(at position: UInt64, _ reason: String) {
        logger.error("projector \(projector.name) parked", metadata: ["position": "\(position)", "reason": "\(reason)"])
        state.withLock {
            $0.phase = .parked
            $0.parked = .init(position: position, reason: reason)
        }
    }

    /// Sleeps until the log grows past `position` or a wake-up beyond `seen` (the count read
    /// before the step that found nothing to do); false when the store closed.
    private func waitForWork(beyond position: UInt64, wakeupsSeen seen: UInt64) async -> Bool {
        let head = store.headWatch
        let wakeups = self.wakeups
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await head.wait(beyond: position)) ?? false }
            group.addTask { (try? await wakeups.wait(beyond: seen)) ?? false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || !Task.isCancelled && head.head > position
        }
    }

    /// The status, computed now. The generation records are read once each, outside the state
    /// lock, so a status request never holds the runner up for an LMDB read.
    func status() -> ProjectorStatus {
        let headPosition = store.headWatch.head
        let headRecordedAt = (try? store.head().recordedAt) ?? 0
        let snapshot = state.withLock { $0 }
        let activeRecord = try? snapshot.active.record()
        var rebuild: ProjectorStatus.Rebuild?
        if let shadow = snapshot.shadow, let record = try? shadow.record() {
            rebuild = .init(generation: shadow.number, version: record.version, checkpoint: record.checkpoint, target: headPosition)
        }
        let checkpoint = snapshot.scanned
        let lag = headPosition > checkpoint ? headPosition - checkpoint : 0
        var rate = 0.0
        let now = ContinuousClock.now
        if let latest = snapshot.samples.last,
           let first = snapshot.samples.first(where: { now - $0.0 <= .seconds(5) }), first.1 < latest.1 {
            let seconds = max((now - first.0).seconds, 0.001)
            rate = Double(latest.1 - first.1) / seconds
        }
        // How long the oldest event the read model does not reflect yet has waited, in the log's
        // recorded time. (Not the time of the last event applied: a projector whose types are rare
        // applied its last one long ago, and one new foreign event made it look minutes behind.)
        let oldestPending = lag == 0 ? headRecordedAt : (try? store.event(at: checkpoint + 1))?.recordedAt ?? headRecordedAt
        return ProjectorStatus(
            name: projector.name, version: snapshot.activeVersion, state: snapshot.phase,
            generation: snapshot.active.number, checkpoint: checkpoint, head: headPosition, lagEvents: lag,
            lagSeconds: max(0, Double(headRecordedAt - oldestPending) / 1000),
            eventsPerSecond: rate,
            eventsApplied: activeRecord?.eventsApplied ?? 0,
            parked: snapshot.parked, rebuild: rebuild, lastRebuild: snapshot.lastRebuild)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
