import ArgumentParser

/// Placeholder until its owner lands the real command.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats")
    func run() async throws { throw ValidationError("not implemented yet") }
}
