extension APIOperations {
    /// The read-model query routes.
    static let queries: [APIOperation] = [
        APIOperation(method: "GET", path: "/v1/customers/{id}", summary: "The customer 360", tag: "customers",
                     parameters: [.path("id", "The customer's id."), .asOf, .minPosition],
                     errors: [404, 503]),
    ]
    /// The schemas the query routes refer to.
    static let querySchemas: [String: JSONValue] = [:]
}
