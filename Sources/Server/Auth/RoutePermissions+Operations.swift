extension RoutePermissions {
    /// The access rules of the operations routes: readiness is public like liveness (probes carry
    /// no token); metrics name projectors and traffic, so they need `metrics.read`.
    static let operations: [String: Requirement] = [
        "GET /ready": .none,
        "GET /metrics": .permission(.metricsRead),
        "GET /v1/analytics/state-cycle/rules": .permission(.analyticsRead),
        "POST /v1/analytics/state-cycle/replays": .permission(.projectionsRebuild),
    ]
}
