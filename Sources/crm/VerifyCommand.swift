import ArgumentParser

/// Placeholder until its owner lands the real command.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify")
    func run() async throws { throw ValidationError("not implemented yet") }
}
