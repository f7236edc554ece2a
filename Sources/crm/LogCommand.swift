import ArgumentParser

/// Placeholder until its owner lands the real command.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log")
    func run() async throws { throw ValidationError("not implemented yet") }
}
