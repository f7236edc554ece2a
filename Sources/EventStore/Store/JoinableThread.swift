#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX thread that can be joined: `join()` returns only after the body has returned and
/// released everything it captured. The writer needs this so that closing a store really closes
/// the LMDB environment (and drops the directory lock) before `close()` returns; Foundation's
/// `Thread` cannot be joined.
final class JoinableThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private let handle: pthread_t

    init(name: String, _ run: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(run)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        precondition(rc == 0, "cannot start thread \(name): error \(rc)")
        self.handle = handle
    }

    /// Waits for the body to finish. Call at most once, never from the thread itself.
    func join() {
        pthread_join(handle, nil)
    }
}
