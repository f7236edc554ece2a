import ArgumentParser

/// Placeholder until its owner lands the real command.
struct CrashWriterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crash-writer")
    func run() async throws { throw ValidationError("not implemented yet") }
}
