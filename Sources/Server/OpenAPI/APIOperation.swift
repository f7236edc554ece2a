/// The documentation of one route, kept beside the route in `APIOperations+<Group>.swift` and
/// assembled into `/openapi.json` by `OpenAPIDocument`. A test checks that the router, the access
/// table (`RoutePermissions`) and these operations name exactly the same routes.
struct APIOperation: Sendable {
    /// `GET`, `POST`, …
    var method: String
    /// The router's path pattern, e.g. `/v1/customers/{id}` (OpenAPI uses the same braces).
    var path: String
    var summary: String
    var description: String?
    /// The group the operation is listed under (`customers`, `sales`, `audit`, …).
    var tag: String
    var parameters: [APIParameter] = []
    /// The JSON request body's schema; nil when the route takes no body.
    var requestBody: JSONValue?
    /// The status of a successful answer.
    var successStatus: Int = 200
    /// The successful answer's schema.
    var response: JSONValue = Schema.anyObject
    /// The media type of the successful answer.
    var responseMediaType: String = "application/json"
    /// Error statuses this route answers besides the ones every route may (400, 401, 403, 500).
    var errors: [Int] = []

    /// `METHOD path`, the key of the access table.
    var key: String { "\(method) \(path)" }
}

/// A path, query or header parameter of an operation.
struct APIParameter: Sendable {
    enum Location: String, Sendable { case path, query, header }

    var name: String
    var location: Location
    var description: String
    var schema: JSONValue = Schema.string
    var required: Bool = false

    static func path(_ name: String, _ description: String, schema: JSONValue = Schema.string) -> APIParameter {
        APIParameter(name: name, location: .path, description: description, schema: schema, required: true)
    }

    static func query(_ name: String, _ description: String, schema: JSONValue = Schema.string, required: Bool = false) -> APIParameter {
        APIParameter(name: name, location: .query, description: description, schema: schema, required: required)
    }

    static func header(_ name: String, _ description: String, schema: JSONValue = Schema.string, required: Bool = false) -> APIParameter {
        APIParameter(name: name, location: .header, description: description, schema: schema, required: required)
    }

    // The parameters many routes share, described once.
    static let limit = query("limit", "At most this many items (1–1000, default 100).", schema: ["type": "integer", "minimum": 1, "maximum": 1000])
    static let cursor = query("cursor", "The `next` cursor of the previous page; omit for the first page.")
    static let asOf = query("asOf", "Answer as the read model was at this log position (an integer) or time (ISO-8601).")
    static let minPosition = query("minPosition", "Wait (bounded) until the read model reflects this log position; 503 `unavailable` if it does not in time, 400 if it is beyond the log head.", schema: Schema.position)
}
