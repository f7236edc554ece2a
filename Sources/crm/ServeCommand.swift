import ArgumentParser
import Domain
import EventStore
import Foundation
import Logging
import Metrics
import Projections
import Prometheus
import Server

/// `crm serve`: the HTTP API over an event store, until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API over an event store (created if missing).",
        discussion: """
            Every option can also come from the environment: CRM_DATA, CRM_HOST, CRM_PORT, \
            CRM_CHECKPOINT_KEY, CRM_MASTER_KEY, CRM_TOKEN_STORE, CRM_MAX_BODY_BYTES, CRM_MAX_CONCURRENT_REQUESTS, \
            CRM_READY_MAX_LAG_EVENTS, CRM_READY_MAX_LAG_SECONDS, CRM_TLS_CERTIFICATE, CRM_TLS_KEY, and LOG_LEVEL \
            (trace, debug, info, notice, warning, error); a flag wins over its variable. Without a checkpoint key, <dir>/checkpoint.key is used and created for a new \
            store; production should keep the key outside the data directory. The same holds for \
            the master key of personal-data encryption (<dir>/master.key unless --master-key or \
            CRM_MASTER_KEY; created on a first start, required afterwards). SIGINT or SIGTERM \
            stops the server gracefully: requests in flight finish, then the store signs a final \
            checkpoint and closes. Every route but /health needs a bearer token: create one with \
            `crm token create` (--demo prints a fresh token for each role).
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var serverOptions: ServerOptions

    @OptionGroup var keyOptions: CheckpointKeyOptions

    @OptionGroup var tokenOptions: TokenStoreOptions

    @OptionGroup var masterKeyOptions: MasterKeyOptions

    @Flag(help: "Import the sample company into an empty log, then print a token per role and example requests.")
    var demo = false

    @Option(help: ArgumentHelp("The sample's command file (default: Fixtures/sample-commands.ndjson).", valueName: "file"))
    var fixtures: String?

    func run() async throws {
        let level = try serverOptions.level()
        // Lines are queued and written by a thread of the sink's (`LogLineSink`); whatever is
        // still queued is written before the command returns or throws.
        LoggingSystem.bootstrap { label in
            var handler = LogLineHandler(label: label)
            handler.logLevel = level
            return handler
        }
        defer { LogLineSink.standardError.flush() }
        // One registry for the process: the application's instruments and whatever libraries
        // report through swift-metrics, all served on /metrics.
        let metrics = ServerMetrics(registry: PrometheusCollectorRegistry())
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        let logger = Logger(label: "crm.server")
        let directory = try dataOptions.directory()
        let configuration = try serverOptions.configuration()
        let host = configuration.host
        let port = configuration.port
        if let tls = configuration.tls {
            // Read the files now, so a wrong path fails before the store is opened.
            do { _ = try tls.tlsConfiguration() } catch {
                throw CommandFailure.exit("serve", "cannot use the TLS certificate \(tls.certificatePath) and key \(tls.keyPath): \(error)")
            }
        }

        let key = try loadOrCreateKey(directory: directory, logger: logger)
        let store: EventStore
        do {
            store = try EventStore(directory: directory, configuration: .init(
                createIfMissing: true, checkpointKey: key, logger: Logger(label: "crm.eventstore")))
        } catch {
            throw CommandFailure.exit("serve", error.description)
        }
        logger.info("event store open", metadata: ["directory": "\(directory)", "head": "\((try? store.head().position) ?? 0)"])
        // Personal data is sealed under per-subject keys; the master key is created on a first
        // start only (a data directory with data keys and no master key is an error).
        let keyRing: SubjectKeyRing
        do {
            keyRing = try masterKeyOptions.open(dataDirectory: directory, create: true, command: "serve")
        } catch {
            store.close()
            throw error
        }
        if !keyRing.reappliedErasures.isEmpty {
            logger.notice("re-applied erasures missing from this data directory (a restored backup?)",
                          metadata: ["subjects": "\(keyRing.reappliedErasures.joined(separator: ","))"])
        }
        let registry = EventRegistry.domain.protecting(with: keyRing)
        // Opened after the event store, which refuses to create a log in a non-empty directory.
        let tokens: TokenStore
        do {
            tokens = try TokenStore(directory: tokenOptions.explicitLocation ?? directory + "/tokens")
        } catch {
            store.close()
            throw CommandFailure.exit("serve", error.description)
        }

        var examples = DemoExamples.fallback
        if demo {
            let path = fixtures ?? "Fixtures/sample-commands.ndjson"
            do {
                logger.info("importing the sample company unless it is already there", metadata: ["file": "\(path)"])
                let outcome = try await DemoImport(path: path).importIfFresh(into: store, registry: registry, logger: logger)
                if let skipped = outcome.skipped {
                    logger.notice("demo import skipped: \(skipped)")
                } else if outcome.appended > 0 {
                    // Sign at once, so /v1/audit/verify shows a verified checkpoint from the start.
                    try await store.signCheckpoint()
                }
                examples = DemoExamples(store: store)
                examples.tokens = try DemoTokens.issue(in: tokens, users: examples.users)
            } catch let error as EventStoreError {
                throw CommandFailure.exit("serve", "demo import failed: \(error.description)")
            } catch let error as TokenStoreError {
                throw CommandFailure.exit("serve", "cannot create the demo tokens: \(error.description)")
            } catch {
                throw CommandFailure.exit("serve", "demo import failed: \(error)")
            }
        } else if (try? tokens.activeCount()) == 0 {
            logger.notice("no active API tokens in \(tokens.directory): every route but /health answers 401; create one with `crm token create --user NAME --role admin`")
        }

        let projections: ProjectionEngine
        do {
            projections = try ProjectionEngine(store: store, projectors: StandardProjectors.all, registry: registry,
                                               configuration: .init(logger: Logger(label: "crm.projections")))
        } catch {
            throw CommandFailure.exit("serve", "cannot open the read models: \(error)")
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        let address = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        do {
            try await runServer(
                store: store, tokens: tokens, projections: projections, keyRing: keyRing, configuration: configuration, metrics: metrics, logger: logger,
                onServerRunning: { [demo, examples] in
                    logger.info("CRM API listening on \(address)")
                    guard demo else { return }
                    // The greeting invites requests at once: print it when every read model reflects
                    // the demo data (about two seconds; at most a minute on a very busy machine), so
                    // that its examples answer with that data rather than with empty read models.
                    let head = store.headWatch.head
                    for name in projections.names {
                        _ = try? await projections.waitUntil(name, reflects: head, timeout: .seconds(60))
                    }
                    FileHandle.standardOutput.write(Data(Self.demoGreeting(address: address, examples: examples).utf8))
                })
        } catch {
            throw CommandFailure.exit("serve", "cannot serve on \(address): \(error)")
        }
    }

    /// The key from --checkpoint-key / CRM_CHECKPOINT_KEY (which must exist), else the default in
    /// the data directory, created for a store that has no signed checkpoints yet.
    private func loadOrCreateKey(directory: String, logger: Logger) throws -> HMACKey {
        let (path, isDefault) = keyOptions.location(dataDirectory: directory)
        guard isDefault else { return try StoreOpening.loadKey(path, create: false, command: "serve") }
        if !FileManager.default.fileExists(atPath: path) {
            // Open the store once without a key: this creates a new store (or refuses a foreign
            // directory) before any key file is written into it, and tells whether checkpoints
            // signed under a key that has gone missing would be orphaned by a new one.
            do {
                let probe = try EventStore(directory: directory, configuration: .init(
                    createIfMissing: true, logger: Logger(label: "crm.eventstore")))
                let signed = try probe.checkpoints()
                probe.close()
                if !signed.isEmpty {
                    throw CommandFailure.exit("serve", """
                        the log has \(signed.count) signed checkpoints but its key \(path) is missing; \
                        pass --checkpoint-key <file> with the key that signed them
                        """)
                }
            } catch let error as EventStoreError {
                throw CommandFailure.exit("serve", error.description)
            }
            let key = try StoreOpening.loadKey(path, create: true, command: "serve")
            logger.notice("""
                created checkpoint key \(path); in production keep the key outside the data directory \
                (--checkpoint-key or CRM_CHECKPOINT_KEY) so that whoever can rewrite the log cannot re-sign it
                """)
            return key
        }
        logger.notice("""
            checkpoint key is inside the data directory (\(path)); in production keep it elsewhere \
            (--checkpoint-key or CRM_CHECKPOINT_KEY)
            """)
        return try StoreOpening.loadKey(path, create: false, command: "serve")
    }

    /// What `--demo` prints once the server listens: a token per role and example requests, each
    /// made with the token of a role that may make it.
    static func demoGreeting(address: String, examples: DemoExamples) -> String {
        let tokenLines = examples.tokens.map {
            "  \($0.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \($0.bearer)  (as \($0.user))"
        }
        func bearer(_ role: Role) -> String {
            "-H 'Authorization: Bearer \(examples.tokens.first { $0.role == role }?.bearer ?? "<\(role.rawValue) token>")'"
        }
        let customer = examples.customerStream.dropFirst("customer-".count)
        return """

        CRM demo API at \(address)   (Ctrl-C to stop)

        Demo tokens, one per role (shown once; a new demo start revokes them and prints new ones):
        \(tokenLines.joined(separator: "\n"))

        A customer 360, the audit trail of the actor who registered that customer, and revenue
        (orders placed) by month and region from the analytics cube:
          curl -s \(bearer(.admin)) '\(address)/v1/customers/\(customer)'
          curl -s \(bearer(.auditor)) '\(address)/v1/audit/events?actor=\(examples.actor)&limit=5'
          curl -s \(bearer(.admin)) '\(address)/v1/analytics/cubes/revenue?measures=ordersPlacedAmount&by=month,region'

        Public: \(address)/health, \(address)/ready, \(address)/openapi.json

        """
    }
}

/// Real ids from the demo data for the greeting's example requests.
struct DemoExamples: Sendable {
    var customerStream: String
    var actor: String
    /// This start's demo tokens, one per role.
    var tokens: [DemoTokens.Token] = []

    static let fallback = DemoExamples(customerStream: "customer-C0001", actor: "admin")

    /// Who the manager and agent demo tokens act as: a manager of the first team and the first
    /// agent a case was assigned to, so their row scopes hold real customers and cases.
    var users: [Role: String] = [:]

    /// The first registered customer and the actor who registered it, and the demo users.
    init(store: EventStore) {
        let first = try? store.readPage(from: 1, limit: 1, types: ["CustomerRegistered"], maxScan: 100_000).events.first
        self.init(customerStream: first?.stream ?? Self.fallback.customerStream, actor: first?.actor.id ?? Self.fallback.actor)
        if let member = Self.first(TeamMemberAssigned.self, in: store) { users[.manager] = member.managerId }
        if let assignment = Self.first(CaseAssigned.self, in: store) { users[.agent] = assignment.agentId }
    }

    /// The first event of type `E` in the log's first 100,000 events, decoded.
    private static func first<E: DomainEvent>(_ type: E.Type, in store: EventStore) -> E? {
        guard let event = try? store.readPage(from: 1, limit: 1, types: [E.eventType], maxScan: 100_000).events.first else { return nil }
        return try? EventRegistry.domain.decode(event) as? E
    }

    init(customerStream: String, actor: String) {
        self.customerStream = customerStream
        self.actor = actor
    }
}
