import Foundation
import Synchronization

/// A thread of its own for one projector's blocking work: reading the log, decoding, and the
/// read model's write transaction with its fsync.
///
/// Why: Swift's cooperative pool has as many threads as cores (two on the machines this runs
/// on), and every task of the process runs there — the other projectors' wake-ups, the appends'
/// continuations, HTTP handlers. A runner that committed on that pool held one of its threads for
/// the length of an fsync (milliseconds, tens under disk load), so two projectors committing at
/// once stalled every other projector's progress, and the live lag of all of them rose together.
/// On a thread of its own a commit waits for the disk without holding anyone else up; the runner's
/// task only suspends until the step is done.
final class ProjectorThread: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let state = Mutex(State())
    private let signal = DispatchSemaphore(value: 0)

    /// Starts the thread, named `name` (as `top -H` and debuggers show it).
    init(name: String) {
        let shortName = String(name.prefix(15))  // Linux keeps 15 bytes of a thread's name
        let thread = Thread { [self] in
            Self.nameCurrentThread(shortName)
            while true {
                signal.wait()
                let next = state.withLock { state -> (@Sendable () -> Void)? in
                    state.jobs.isEmpty ? nil : state.jobs.removeFirst()
                }
                guard let next else {
                    if state.withLock({ $0.stopped }) { return }
                    continue
                }
                next()
            }
        }
        thread.start()
    }

    /// Runs `body` on the thread and returns (or throws) what it did; the calling task suspends
    /// meanwhile. Jobs run one at a time in the order they were given. A cancelled caller still
    /// waits for its job: a transaction under way is never abandoned half-way.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.jobs.append { continuation.resume(with: Result(catching: body)) }
                return true
            }
            if accepted { signal.signal() } else { continuation.resume(throwing: CancellationError()) }
        }
    }

    /// Names the calling OS thread. `Thread.current.name = …` inside the block did not always reach
    /// the OS thread (1 start in 3 under load kept the name inherited from its creator, a dispatch
    /// worker's "…oot.default-qos"), and Swift's Glibc module does not declare the GNU
    /// `pthread_setname_np`, so it is looked up in the C library once.
    private static func nameCurrentThread(_ name: String) {
        _ = setThreadName?(pthread_self(), name)
    }

    private typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    /// `pthread_setname_np` from the process's C library (RTLD_DEFAULT is the null handle).
    private static let setThreadName: SetThreadName? =
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_setname_np").map { unsafeBitCast($0, to: SetThreadName.self) }

    /// Lets the thread finish the jobs it was given and end. Idempotent.
    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        if first { signal.signal() }
    }
}
