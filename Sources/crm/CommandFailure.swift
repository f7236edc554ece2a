import ArgumentParser
import Foundation

/// Ends a command that cannot do its job: one line on standard error, then a non-zero exit,
/// never a stack trace.
///
/// Exit codes: 1 means the command ran and found a problem (`verify` on a damaged log); 2 means
/// it could not run (no such store, a foreign directory, a store locked by a running server, a
/// bad key file, a port in use).
enum CommandFailure {
    static let problemFound: Int32 = 1
    static let couldNotRun: Int32 = 2

    /// Prints `crm <command>: <message>` to standard error and returns the exit to throw.
    static func exit(_ command: String, _ message: String, code: Int32 = couldNotRun) -> ExitCode {
        printError("crm \(command): \(message)")
        return ExitCode(code)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
