import Synchronization

/// Which event types the latest commits appended: per commit, its range of positions and the set
/// of its types (`Mask`), recorded before the commit is published on `EventStore.headWatch`.
///
/// Why: every commit wakes every projector, and most commits carry types most projectors do not
/// fold (each customer 360 read appends an access event that eight of the nine ignore). Each such
/// wake-up cost a thread hop and a read of the log to find nothing, ~6 % of a read's server CPU
/// (BENCHMARKS.md). A projector whose mask shares nothing with the commits since its position
/// moves on without either.
public final class AppendedTypes: Sendable {
    /// How many commits are remembered; an older range is answered with nil (read the log).
    public static let capacity = 4096

    /// A set of event types: one bit per type name, numbered in the order this process first
    /// met each name (`index(of:)`). The domain's types are numbered when the projectors start,
    /// so they are exact; names beyond the first 255 (integrators may send any) share the last
    /// bit, which every projector's mask holds, so they always cost a read of the log, never a
    /// skipped event.
    public struct Mask: Sendable, Equatable {
        private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        public init() {}

        /// The mask of `types`, plus the shared bit of unnumbered names.
        public init(projecting types: some Sequence<String>) {
            for type in types { insert(AppendedTypes.index(of: type)) }
            insert(AppendedTypes.overflow)
        }

        mutating func insert(_ index: Int) {
            let bit = UInt64(1) << UInt64(index % 64)
            switch index / 64 {
            case 0: words.0 |= bit
            case 1: words.1 |= bit
            case 2: words.2 |= bit
            default: words.3 |= bit
            }
        }

        mutating func formUnion(_ other: Mask) {
            words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
        }

        /// Whether the two masks share a type.
        public func intersects(_ other: Mask) -> Bool {
            (words.0 & other.words.0) | (words.1 & other.words.1) | (words.2 & other.words.2) | (words.3 & other.words.3) != 0
        }

        public static func == (lhs: Mask, rhs: Mask) -> Bool {
            lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
        }
    }

    /// The bit shared by every name beyond the first 255.
    static let overflow = 255
    private static let numbers = Mutex<[String: Int]>([:])

    /// The number of `type` in this process (its bit in a `Mask`).
    public static func index(of type: String) -> Int {
        numbers.withLock { numbers in
            if let known = numbers[type] { return known }
            guard numbers.count < overflow else { return overflow }
            numbers[type] = numbers.count
            return numbers.count - 1
        }
    }

    private struct Commit {
        var first: UInt64
        var last: UInt64
        var mask: Mask
    }

    private struct Ring {
        var commits: [Commit] = []
        /// Where the next commit goes once `commits` is full.
        var next = 0
    }

    private let ring = Mutex(Ring())

    public init() {}

    /// Records that the commit of positions `first...last` appended the types of `mask`.
    func record(first: UInt64, last: UInt64, mask: Mask) {
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
    public func mask(after position: UInt64, through head: UInt64) -> Mask? {
        guard position < head else { return Mask() }
        return ring.withLock { ring -> Mask? in
            let count = ring.commits.count
            guard count > 0 else { return nil }
            // Newest first: the one before `next` once the ring has wrapped, else the last.
            let newest = count < Self.capacity ? count - 1 : (ring.next + count - 1) % count
            guard ring.commits[newest].last >= head else { return nil }
            var mask = Mask()
            var expectedLast = ring.commits[newest].last
            for step in 0..<count {
                let commit = ring.commits[(newest - step + count) % count]
                // Commits follow each other without a gap; anything else means a write this ring
                // did not see, so the log must be read.
                guard commit.last == expectedLast else { return nil }
                if commit.first <= head { mask.formUnion(commit.mask) }
                if commit.first <= position + 1 { return mask }
                expectedLast = commit.first - 1
            }
            return nil
        }
    }
}
