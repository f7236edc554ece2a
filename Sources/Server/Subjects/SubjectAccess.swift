/// One entry of `GET /v1/subjects/{id}/access-log`: who read the subject's personal data, in
/// which role, when, from where, which fields, through which route and why.
struct SubjectAccess: Codable, Sendable, Equatable {
    /// Who (`actor.id`) in which role (`actor.role`).
    struct Reader: Codable, Sendable, Equatable {
        var id: String
        var role: String
    }

    /// Where from: the client's address and user agent, and the host that answered.
    struct Origin: Codable, Sendable, Equatable {
        var clientAddress: String
        var userAgent: String
        var host: String
    }

    /// The access event's log position.
    var position: UInt64
    /// When (the event's recorded time, ISO-8601).
    var at: String
    var actor: Reader
    var source: Origin
    /// The route called, e.g. `GET /v1/customers/{id}`.
    var route: String
    /// The record read, when the route reads one.
    var record: String?
    /// The personal fields the answer carried (for a list, of every subject it listed).
    var fields: [String]
    /// Why, as the reader stated it.
    var purpose: String?
    /// The query's parameters.
    var filters: [String: String]
}

/// A page of `GET /v1/subjects/{id}/access-log`, oldest first; `next` continues it (the `cursor`
/// of the next request), absent when nothing more was recorded up to `position`.
struct SubjectAccessPage: Codable, Sendable, Equatable {
    var subject: String
    var items: [SubjectAccess]
    var next: String?
    /// The log head the page is complete up to.
    var position: UInt64
}
