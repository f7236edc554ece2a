import ArgumentParser

/// Placeholder until its owner lands the real command.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench")
    func run() async throws { throw ValidationError("not implemented yet") }
}
