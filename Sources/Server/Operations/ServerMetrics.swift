import EventStore
import Projections
import Prometheus
import Synchronization

/// The application's Prometheus instruments, in a registry the application owns.
///
/// Tests give each application its own registry, so nothing depends on the process-wide
/// `MetricsSystem`; `crm serve` bootstraps that system with the same registry, so metrics that
/// libraries emit through swift-metrics appear on `/metrics` beside these.
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `crm_http_request_duration_seconds` | histogram | `method`, `route` (pattern), `status` (`2xx`…) |
/// | `crm_http_requests_in_flight` | gauge | |
/// | `crm_eventstore_appended_events_total` | counter | |
/// | `crm_eventstore_commits_total` | counter | |
/// | `crm_eventstore_commit_group_requests` | histogram | |
/// | `crm_projector_lag_events`, `crm_projector_lag_seconds` | gauge | `projector` |
/// | `crm_projector_ready` | gauge (1/0) | `projector` |
public final class ServerMetrics: Sendable {
    /// Where every instrument lives; `/metrics` renders it.
    public let registry: PrometheusCollectorRegistry
    private let inFlight: Gauge
    private let appendedEvents: Counter
    private let commits: Counter
    private let groupRequests: ValueHistogram
    /// The latency histogram of each method, route pattern and status class seen so far.
    private let latencies = Mutex<[LatencyKey: DurationHistogram]>([:])

    /// Latency buckets from 1 ms to 10 s: reads answer in milliseconds, verification takes seconds.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Group sizes in powers of two up to the writer's usual maximum.
    static let groupBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        inFlight = registry.makeGauge(descriptor: Self.name("http", "requests", "in_flight", help: "HTTP requests being served."))
        appendedEvents = registry.makeCounter(descriptor: Self.name("eventstore", "appended", "events_total",
                                                                    help: "Events committed to the log; rate() gives appends per second."))
        commits = registry.makeCounter(descriptor: Self.name("eventstore", "commits", "total", help: "Group commits (write transactions)."))
        groupRequests = registry.makeValueHistogram(
            descriptor: Self.name("eventstore", "commit_group", "requests", help: "Append requests grouped into one commit."),
            buckets: Self.groupBuckets)
    }

    /// Counts the commits of `store` from now on.
    func observe(_ store: EventStore) {
        let appendedEvents = appendedEvents, commits = commits, groupRequests = groupRequests
        store.observeCommits { observation in
            commits.increment()
            appendedEvents.increment(by: Int64(observation.events))
            groupRequests.record(Double(observation.requests))
        }
    }

    /// A request started; `finished` records its outcome.
    func started() { inFlight.increment() }

    /// A request ended with `status` after `duration`, on the route pattern `route`.
    func finished(method: String, route: String, status: Int, duration: Duration) {
        inFlight.decrement()
        // A client may send any token as a method; only the standard ones get series of their
        // own, so that made-up methods cannot grow the metrics (and this cache) without bound.
        let key = LatencyKey(method: Self.standardMethods.contains(method) ? method : "other", route: route, statusClass: status / 100)
        let histogram = latencies.withLock { cache in
            if let known = cache[key] { return known }
            // Asking the registry builds the metric's name and checks its labels each time:
            // kept here, a request costs one dictionary lookup.
            let made = registry.makeDurationHistogram(
                descriptor: Self.name("http", "request", "duration_seconds", help: "HTTP request latency by route pattern and status class."),
                labels: [("method", key.method), ("route", route), ("status", "\(key.statusClass)xx")],
                buckets: Self.latencyBuckets)
            cache[key] = made
            return made
        }
        histogram.record(duration)
    }

    static let standardMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]

    /// The labels of one request-latency histogram.
    private struct LatencyKey: Hashable {
        var method: String
        var route: String
        var statusClass: Int
    }

    /// Sets the projector gauges from a status snapshot (called when `/metrics` is scraped).
    func update(projectors: [ProjectorStatus], bound: ReadinessBound) {
        for status in projectors {
            let labels = [("projector", status.name)]
            registry.makeGauge(descriptor: Self.name("projector", "lag", "events", help: "Log events a projector has not applied yet."),
                               labels: labels).set(to: Double(status.lagEvents))
            registry.makeGauge(descriptor: Self.name("projector", "lag", "seconds", help: "Recorded time a projector trails the log head by."),
                               labels: labels).set(to: status.lagSeconds)
            registry.makeGauge(descriptor: Self.name("projector", "ready", "", help: "1 when the projector is within the readiness bound."),
                               labels: labels).set(to: Readiness.isReady(status, bound: bound) ? 1 : 0)
        }
    }

    /// The Prometheus text exposition of every instrument.
    func exposition() -> [UInt8] { registry.emitToBuffer() }

    private static func name(_ subsystem: String, _ metric: String, _ unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "crm", subsystem: subsystem, metricName: metric, unitName: unit, helpText: help)
    }
}
