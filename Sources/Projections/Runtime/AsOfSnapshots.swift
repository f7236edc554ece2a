import Foundation
import Synchronization

/// The engine's cache of as-of snapshots (read models replayed up to a past position), per
/// projector, least recently used first.
///
/// A snapshot replayed before a subject was erased holds that subject's values as they were, and
/// would answer with them for as long as it is cached; so an erasure discards the projector's
/// snapshots (files included), and a replay that was under way when it happened is not cached
/// (`epoch` tells): the next request replays again, and reads the marker.
final class AsOfSnapshots: Sendable {
    private struct State {
        var entries: [String: [(position: UInt64, generation: ProjectionGeneration)]] = [:]
        /// Per projector, bumped by every `discard`.
        var epochs: [String: UInt64] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The cached snapshot of `name` at `position`, marked most recently used.
    func cached(_ name: String, position: UInt64) -> ProjectionGeneration? {
        state.withLock { state in
            guard let index = state.entries[name]?.firstIndex(where: { $0.position == position }) else { return nil }
            let entry = state.entries[name]!.remove(at: index)
            state.entries[name]!.append(entry)
            return entry.generation
        }
    }

    /// The current epoch of `name`: read before replaying, handed to `insert`.
    func epoch(_ name: String) -> UInt64 {
        state.withLock { $0.epochs[name] ?? 0 }
    }

    /// Caches a snapshot replayed since `epoch` was read, evicting (and deleting) the least
    /// recently used beyond the capacity. Returns false, caching nothing, when an erasure happened
    /// in between: the snapshot may hold erased values, and the caller deletes it.
    func insert(_ name: String, position: UInt64, _ generation: ProjectionGeneration, epoch: UInt64) -> Bool {
        let evicted = state.withLock { state -> [ProjectionGeneration]? in
            guard (state.epochs[name] ?? 0) == epoch else { return nil }
            state.entries[name, default: []].append((position, generation))
            let excess = state.entries[name]!.count - capacity
            guard excess > 0 else { return [] }
            defer { state.entries[name]!.removeFirst(excess) }
            return state.entries[name]!.prefix(excess).map(\.generation)
        }
        guard let evicted else { return false }
        for old in evicted { try? FileManager.default.removeItem(atPath: old.directory) }
        return true
    }

    /// Drops (and deletes) every snapshot of `name`, and makes replays under way uncacheable.
    func discard(_ name: String) {
        let dropped = state.withLock { state -> [ProjectionGeneration] in
            state.epochs[name, default: 0] += 1
            return state.entries.removeValue(forKey: name)?.map(\.generation) ?? []
        }
        for old in dropped { try? FileManager.default.removeItem(atPath: old.directory) }
    }
}
