import Glibc

/// A child process started with `posix_spawn` and reaped with `waitpid`, for the tests that run
/// `crm` or a crashing writer.
///
/// Foundation's `Process` crashed the test bundle (a bad pointer in `memcpy` inside `run()`) when
/// one test launched a child while another waited for its own in `waitUntilExit()`, and a lock in
/// one test module cannot serialise the launches of the others. `posix_spawn` and `waitpid` share
/// no state between children, so tests may start and wait for children concurrently.
public final class ChildProcess {
    /// How a child ended.
    public enum Termination: Equatable, Sendable {
        case exit(Int32)
        case signal(Int32)
    }

    public let pid: pid_t
    private var status: Termination?

    /// Starts `path` with `arguments` (without the program name) and `environment` (nil: this
    /// process's), its standard output and error written to the files named (nil: /dev/null).
    public init(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                stdout: String? = nil, stderr: String? = nil) throws(SpawnError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let env: [UnsafeMutablePointer<CChar>?]
        if let environment {
            env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        } else {
            var inherited: [UnsafeMutablePointer<CChar>?] = []
            var entry = environ
            while let pointer = entry.pointee {
                inherited.append(strdup(pointer))
                entry += 1
            }
            env = inherited + [nil]
        }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in env { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, env)
        guard rc == 0 else { throw SpawnError(path: path, code: rc) }
        self.pid = pid
    }

    /// Waits for the child to end.
    @discardableResult
    public func wait() -> Termination {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        return record(raw)
    }

    /// Whether the child still runs (reaps it if it has ended).
    public var isRunning: Bool {
        if status != nil { return false }
        var raw: Int32 = 0
        let rc = waitpid(pid, &raw, WNOHANG)
        if rc == pid { record(raw); return false }
        return rc == 0
    }

    /// Sends `signal` to the child (nothing once it has been reaped).
    public func kill(_ signal: Int32) {
        guard status == nil else { return }
        _ = Glibc.kill(pid, signal)
    }

    @discardableResult
    private func record(_ raw: Int32) -> Termination {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
        let termination: Termination = raw & 0x7F == 0 ? .exit((raw >> 8) & 0xFF) : .signal(raw & 0x7F)
        status = termination
        return termination
    }

    /// `posix_spawn` failed (no such file, not executable…).
    public struct SpawnError: Error, CustomStringConvertible {
        public let path: String
        public let code: Int32
        public var description: String { "cannot start \(path): \(String(cString: strerror(code)))" }
    }
}
