extension RoutePermissions {
    /// The access rules of the read-model query routes.
    static let queries: [String: Requirement] = [
        "GET /v1/customers/{id}": .permission(.customersRead),
    ]
}
