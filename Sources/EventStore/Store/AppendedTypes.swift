import Synchronization

/// Which event types the latest commits appended: per commit, its range of positions and a 64-bit
/// mask with one bit per type name (a hash of the name picks the bit), recorded before the commit
/// is published on `EventStore.headWatch`.
///
/// Why: every commit wakes every projector, and most commits carry types most projectors do not
/// fold (each customer 360 read appends an access event that eight of the nine ignore). Each such
/// wake-up cost a thread hop and a read of the log to find nothing, ~10 % of a read's server CPU.
/// A projector whose mask shares no bit with the commits since its position moves on without
/// either. Two types may share a bit; that only costs the ordinary read, never a skipped event.
public final class AppendedTypes: Sendable {
    /// How many commits are remembered; an older range is answered with nil (read the log).
    public static let capacity = 4096

    private struct Commit {
        var first: UInt64
        var last: UInt64
        var mask: UInt64
    }

    private struct Ring {
        var commits: [Commit] = []
        /// Where the next commit goes once `commits` is full.
        var next = 0
    }

    private let ring = Mutex(Ring())

    public init() {}

    /// The bit of `type`: FNV-1a of its UTF-8 bytes, modulo 64 (the same in every process).
    public static func bit(_ type: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in type.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return 1 << (hash % 64)
    }

    /// The mask of a set of types.
    public static func mask(_ types: some Sequence<String>) -> UInt64 {
        types.reduce(0) { $0 | bit($1) }
    }

    /// Records that the commit of positions `first...last` appended the types of `mask`.
    func record(first: UInt64, last: UInt64, mask: UInt64) {
        guard first <= last else { return }
        ring.withLock { ring in
            let commit = Commit(first: first, last: last, mask: mask)
            if ring.commits.count < Self.capacity {
                ring.commits.append(commit)
            } else {
                ring.commits[ring.next] = commit
                ring.next = (ring.next + 1) % Self.capacity
            }
        }
    }

    /// The mask of every type appended at positions after `position` up to `head`; nil when the
    /// remembered commits do not reach back to `position + 1` or forward to `head`.
    public func mask(after position: UInt64, through head: UInt64) -> UInt64? {
        guard position < head else { return 0 }
        return ring.withLock { ring -> UInt64? in
            let count = ring.commits.count
            guard count > 0 else { return nil }
            // Newest first: the one before `next` once the ring has wrapped, else the last.
            let newest = count < Self.capacity ? count - 1 : (ring.next + count - 1) % count
            guard ring.commits[newest].last >= head else { return nil }
            var mask: UInt64 = 0
            var expectedLast = ring.commits[newest].last
            for step in 0..<count {
                let commit = ring.commits[(newest - step + count) % count]
                // Commits follow each other without a gap; anything else means a write this ring
                // did not see, so the log must be read.
                guard commit.last == expectedLast else { return nil }
                if commit.first <= head { mask |= commit.mask }
                if commit.first <= position + 1 { return mask }
                expectedLast = commit.first - 1
            }
            return nil
        }
    }
}
