import Domain
import EventStore
import Projections

/// What the route groups share: the log, the command handler that decides and appends, the read
/// models, the team directory for row-level scopes, the tokens, and the configured limits.
///
/// Built once per application by `buildRouter`; every member is `Sendable` and safe to share
/// between concurrent requests.
struct APIDependencies: Sendable {
    let store: EventStore
    let tokens: TokenStore
    let projections: ProjectionEngine?
    let handler: CommandHandler
    let teams: TeamDirectory
    let configuration: ServerConfiguration
    /// Command execution (duplicate index, multi-stream commands, idempotency keys).
    let commands: CommandServices

    init(store: EventStore, tokens: TokenStore, projections: ProjectionEngine?, configuration: ServerConfiguration) {
        self.store = store
        self.tokens = tokens
        self.projections = projections
        self.handler = CommandHandler(store: store)
        self.teams = TeamDirectory(store: store)
        self.configuration = configuration
        commands = CommandServices(handler: handler, dataDirectory: store.directory)
    }
}
