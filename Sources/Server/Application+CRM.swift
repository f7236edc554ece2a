import EventStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Projections
import ServiceLifecycle

/// Builds the CRM HTTP application over an open event store.
///
/// The application owns the store from here on: it closes it after the HTTP server has stopped
/// on graceful shutdown (SIGINT or SIGTERM with `runService()`, or the end of `app.test`).
///
/// Every response carries `X-Log-Position`, the log head the answer reflects; every error is
/// `application/problem+json` with a stable `code`. Every route but `/health` needs a bearer token
/// from `tokens` (401 without one) whose role holds the route's permission (403 otherwise).
///
/// - Parameters:
///   - store: The open event store the routes read.
///   - tokens: The bearer tokens that authenticate requests; required, so no application serves
///     without authentication.
///   - projections: The read models to run and serve (status, rebuilds, queries); none when nil.
///     With a key ring, the engine must decode with `EventRegistry.domain.protecting(with:)` of
///     the same ring, or its read models hold placeholders instead of personal data.
///   - keyRing: The data subjects' keys (issue 6): personal data is sealed on append and opened on
///     read, subjects can be erased (`POST /v1/subjects/{id}/erase`) and exports pseudonymised.
///     On start, erasures on the ring's erasure list that the log does not record yet are
///     recorded (`SubjectErasure.reconcile`, as the `system` actor). Nil: no encryption.
///   - configuration: Address, server name, limits, readiness bound and TLS files.
///   - metrics: The Prometheus instruments `/metrics` serves; each application gets its own
///     registry unless `crm serve` passes the one it bootstrapped the metrics system with.
///   - logger: The application logger; one line per request at `info` (`RequestLogMiddleware`).
///   - onServerRunning: Called once the server listens (not called by router tests).
public func buildApplication(
    store: EventStore,
    tokens: TokenStore,
    projections: ProjectionEngine? = nil,
    keyRing: SubjectKeyRing? = nil,
    configuration: ServerConfiguration = ServerConfiguration(),
    metrics: ServerMetrics = ServerMetrics(),
    logger: Logger = Logger(label: "crm.server"),
    onServerRunning: @escaping @Sendable () async -> Void = {}
) -> some ApplicationProtocol {
    let dependencies = APIDependencies(store: store, tokens: tokens, projections: projections, configuration: configuration,
                                       keyRing: keyRing)
    let router = buildRouter(dependencies: dependencies, metrics: metrics)
    var services: [any Service] = [EventStoreService(store: store, logger: logger)]
    // After the store's service, so that on shutdown it ends before the store closes.
    if let erasure = dependencies.erasure { services.append(ErasureReconciliationService(erasure: erasure, logger: logger)) }
    if let projections { services.append(ProjectionService(engine: projections, logger: logger)) }
    // With TLS files the certificate and key are read when the server starts: a bad file stops
    // `runService()` with NIOSSL's error before anything listens.
    let server: HTTPServerBuilder = if let tls = configuration.tls {
        HTTPServerBuilder { responder in try TLSChannel(HTTP1Channel(responder: responder), tlsConfiguration: tls.tlsConfiguration()) }
    } else {
        .http1()
    }
    return Application(
        router: router,
        server: server,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: configuration.serverName
        ),
        services: services,
        onServerRunning: { _ in await onServerRunning() },
        logger: logger
    )
}

/// Builds the application and runs it until SIGINT or SIGTERM, then shuts down gracefully:
/// requests in flight finish, the server stops, and the store closes.
///
/// - Throws: What the server throws when it cannot run, such as an address already in use (the
///   store is closed then too).
public func runServer(
    store: EventStore,
    tokens: TokenStore,
    projections: ProjectionEngine? = nil,
    keyRing: SubjectKeyRing? = nil,
    configuration: ServerConfiguration = ServerConfiguration(),
    metrics: ServerMetrics = ServerMetrics(),
    logger: Logger = Logger(label: "crm.server"),
    onServerRunning: @escaping @Sendable () async -> Void = {}
) async throws {
    let app = buildApplication(store: store, tokens: tokens, projections: projections, keyRing: keyRing, configuration: configuration,
                               metrics: metrics, logger: logger, onServerRunning: onServerRunning)
    try await app.runService()
}

/// The routes and middleware of the API, in one place.
func buildRouter(
    store: EventStore, tokens: TokenStore, projections: ProjectionEngine? = nil, keyRing: SubjectKeyRing? = nil,
    configuration: ServerConfiguration = ServerConfiguration(), metrics: ServerMetrics = ServerMetrics()
) -> Router<CRMRequestContext> {
    buildRouter(dependencies: APIDependencies(store: store, tokens: tokens, projections: projections, configuration: configuration,
                                              keyRing: keyRing),
                metrics: metrics)
}

/// The routes and middleware over dependencies built by the caller (`buildApplication` also
/// hands them to its services).
func buildRouter(dependencies: APIDependencies, metrics: ServerMetrics) -> Router<CRMRequestContext> {
    let (store, tokens, projections, configuration) = (dependencies.store, dependencies.tokens, dependencies.projections,
                                                       dependencies.configuration)
    let router = Router(context: CRMRequestContext.self)
    metrics.observe(store)
    // Outermost first: the request id, log line and metrics; then stamp the log position on
    // whatever comes back; refuse a request over the concurrency limit (429); answer a known path
    // called with the wrong method with 405; turn any error (including the router's own 404) into
    // problem+json; inside that, refuse an oversized body (413), authenticate the bearer token
    // (401), note the caller for the log line, then check the matched route's permission (403).
    router.add(middleware: RequestLogMiddleware(metrics: metrics))
    router.add(middleware: LogPositionMiddleware(store: store))
    router.add(middleware: ConcurrencyLimitMiddleware(gate: RequestGate(limit: configuration.maxConcurrentRequests),
                                                      retryAfterSeconds: configuration.retryAfterSeconds))
    router.add(middleware: MethodNotAllowedMiddleware(catalog: RouteCatalog(keys: RoutePermissions.table.keys)))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.maxBodyBytes))
    router.add(middleware: AuthenticationMiddleware(tokens: tokens))
    router.add(middleware: PrincipalNoteMiddleware())
    router.add(middleware: AuthorizationMiddleware())
    HealthRoutes(store: store).add(to: router)
    OpenAPIRoutes().add(to: router)
    LogRoutes(store: store).add(to: router)
    StreamRoutes(store: store, registry: dependencies.registry).add(to: router)
    AuditRoutes(dependencies: dependencies).add(to: router)
    StatsRoutes(store: store).add(to: router)
    if let projections { ProjectionRoutes(engine: projections).add(to: router) }
    CommandRoutes(dependencies: dependencies).add(to: router)
    QueryRoutes(dependencies: dependencies).add(to: router)
    FeedRoutes(dependencies: dependencies).add(to: router)
    ReplayRoutes(dependencies: dependencies).add(to: router)
    OperationsRoutes(dependencies: dependencies, metrics: metrics).add(to: router)
    SubjectRoutes(dependencies: dependencies).add(to: router)
    return router
}
