import Domain
import EventStore
import Projections

/// What the route groups share: the log, the command handler that decides and appends, the read
/// models, the team directory for row-level scopes, the tokens, the configured limits, and, when
/// personal data is encrypted, the subjects' keys.
///
/// Built once per application by `buildRouter`; every member is `Sendable` and safe to share
/// between concurrent requests.
struct APIDependencies: Sendable {
    let store: EventStore
    let tokens: TokenStore
    let projections: ProjectionEngine?
    /// The data keys of every data subject; nil when the server runs without encryption (then
    /// personal data is stored in the clear, nothing can be erased and nothing pseudonymised).
    let keyRing: SubjectKeyRing?
    /// The domain registry every decode in the server goes through: with a key ring it seals
    /// personal data on encode and opens it (or shows the erasure marker) on decode.
    let registry: EventRegistry
    let handler: CommandHandler
    let teams: TeamDirectory
    let configuration: ServerConfiguration
    /// Command execution (duplicate index, multi-stream commands, idempotency keys).
    let commands: CommandServices
    /// Erasure of data subjects; nil without a key ring.
    let erasure: SubjectErasure?
    /// Encoded customer 360 answers, reused while the read model and the erasures have not
    /// changed for them.
    let customer360Cache = Customer360Cache()
    /// Encoded data of access events, shared by equal ones.
    let accessEventData = AccessEventData()

    init(store: EventStore, tokens: TokenStore, projections: ProjectionEngine?, configuration: ServerConfiguration,
         keyRing: SubjectKeyRing? = nil) {
        self.store = store
        self.tokens = tokens
        self.projections = projections
        self.keyRing = keyRing
        registry = keyRing.map { EventRegistry.domain.protecting(with: $0) } ?? .domain
        let handler = CommandHandler(store: store, registry: registry)
        self.handler = handler
        teams = TeamDirectory(store: store, registry: registry)
        self.configuration = configuration
        let commands = CommandServices(handler: handler, dataDirectory: store.directory)
        self.commands = commands
        if let keyRing {
            erasure = SubjectErasure(handler: handler, keyRing: keyRing, duplicates: commands.customers.duplicates)
        } else {
            erasure = nil
        }
    }
}
