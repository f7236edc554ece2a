import ArgumentParser

/// Placeholder until its owner lands the real command.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve")
    func run() async throws { throw ValidationError("not implemented yet") }
}
