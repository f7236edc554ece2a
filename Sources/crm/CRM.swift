import ArgumentParser

/// The `crm` command line: one binary for the server, the operator tools and the benchmarks.
@main
struct CRM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm",
        abstract: "An event-sourced CRM engine on a tamper-evident LMDB event log.",
        subcommands: [ServeCommand.self, VerifyCommand.self, LogCommand.self, StatsCommand.self,
                      BenchCommand.self, ImportCommand.self, TokenCommand.self, RebuildCommand.self, ReplayCommand.self, ProjectionBenchCommand.self, CrashWriterCommand.self, FixturesCommand.self, KeysCommand.self, EraseCommand.self, PersonalDataBenchCommand.self,
                      BackupCommand.self, RestoreCommand.self, CompactCommand.self, DoctorCommand.self]
    )
}
