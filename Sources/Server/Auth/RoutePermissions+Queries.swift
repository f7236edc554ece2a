extension RoutePermissions {
    /// The access rules of the read-model query routes (`QueryRoutes`). Row-level scope is applied
    /// inside the handlers (`RowScope`).
    static let queries: [String: Requirement] = [
        "GET /v1/customers": .permission(.customersRead),
        "GET /v1/customers/{id}": .permission(.customersRead),
        "GET /v1/customers/{id}/states": .permission(.customersRead),
        "GET /v1/customers/{id}/state": .permission(.customersRead),
        "GET /v1/customers/{id}/sales-cycles": .permission(.salesRead),
        "GET /v1/opportunities/{id}/cycle": .permission(.salesRead),
        "GET /v1/pipeline": .permission(.salesRead),
        "GET /v1/pipeline/stages/{stage}": .permission(.salesRead),
        "GET /v1/service/queue": .permission(.serviceRead),
        "GET /v1/service/queue/at-risk": .permission(.serviceRead),
        "GET /v1/service/queue/agents": .permission(.serviceRead),
        "GET /v1/follow-ups": .permission(.workRead),
        "GET /v1/campaigns": .permission(.marketingRead),
        "GET /v1/campaigns/{id}": .permission(.marketingRead),
        "GET /v1/analytics/states": .permission(.analyticsRead),
        "GET /v1/analytics/state-transitions": .permission(.analyticsRead),
        "GET /v1/analytics/sales-cycle/{report}": .permission(.analyticsRead),
        "GET /v1/analytics/cubes/{cube}": .permission(.analyticsRead),
    ]
}
