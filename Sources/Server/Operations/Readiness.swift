import Projections

/// The answer of `GET /ready`: whether this instance should receive traffic, and why not.
///
/// Ready means the log can be read and every projector is within the configured bound
/// (`ReadinessBound`): `live`, `catchingUp` or `rebuilding` (the serving generation keeps answering)
/// with its lag inside both limits. `starting`, `parked` and `stopped` projectors are never ready.
struct Readiness: Codable, Equatable, Sendable {
    /// One projector outside the bound, and how far outside.
    struct Lagging: Codable, Equatable, Sendable {
        var name: String
        var state: String
        var lagEvents: UInt64
        var lagSeconds: Double
    }

    /// `ready` or `not-ready`.
    var status: String
    /// The log head the answer was computed at.
    var logPosition: UInt64
    /// Whether the event store answered.
    var store: String
    /// The bound that was applied.
    var maxLagEvents: UInt64
    var maxLagSeconds: Double
    /// The projectors outside the bound (empty when ready).
    var lagging: [Lagging]

    var isReady: Bool { status == "ready" }

    /// Evaluates the store's head (nil when it could not be read) and the projectors' status.
    init(head: UInt64?, projectors: [ProjectorStatus], bound: ReadinessBound) {
        lagging = projectors.filter { !Self.isReady($0, bound: bound) }.map {
            Lagging(name: $0.name, state: $0.state.rawValue, lagEvents: $0.lagEvents, lagSeconds: $0.lagSeconds)
        }
        logPosition = head ?? 0
        store = head == nil ? "unavailable" : "open"
        maxLagEvents = bound.maxLagEvents
        maxLagSeconds = bound.maxLagSeconds
        status = head != nil && lagging.isEmpty ? "ready" : "not-ready"
    }

    /// Whether one projector is within `bound`.
    static func isReady(_ status: ProjectorStatus, bound: ReadinessBound) -> Bool {
        switch status.state {
        case .live, .catchingUp, .rebuilding:
            return status.lagEvents <= bound.maxLagEvents && status.lagSeconds <= bound.maxLagSeconds
        case .starting, .parked, .stopped:
            return false
        }
    }
}
