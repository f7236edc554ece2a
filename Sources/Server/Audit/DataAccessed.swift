import EventStore
import Foundation

/// The data of an access event: a read of personal data (an auditor's customer 360 or contacts)
/// or an export of the audit trail, recorded so that "who looked at whose data, why" is itself in
/// the tamper-evident log.
///
/// Who (actor and role), from where (client address, user agent, host) and when (recorded time)
/// are the envelope's, taken from the authenticated request like every append's; the data says
/// what was read and why. It is a plain event (not in `EventRegistry.domain`): nothing decides on
/// it, and every projector but the audit index filters it out by type.
struct DataAccessed: Codable, Sendable, Equatable {
    /// The stable type name in the log.
    static let eventType = "DataAccessed"
    /// The stream every access event is appended to. The `system-` prefix is no domain category
    /// (`customer-`, `lead-`, `case-`, …), so it never collides with a record's stream.
    static let stream = "system-access"

    /// The route pattern that was called, e.g. `GET /v1/audit/export`.
    var route: String
    /// The data subject read (a customer id), nil for a search or an export across subjects.
    var subject: String?
    /// The query's filters (`actor`, `since`, `format`, …) as given.
    var filters: [String: String]
    /// The parts of the record that were read (`profile`, `contacts`, `events`).
    var fields: [String]
    /// Why the data was read, as the caller stated it (`purpose` query parameter).
    var purpose: String?

    /// An access of `route`; the rest as far as it applies.
    init(route: String, subject: String? = nil, filters: [String: String] = [:], fields: [String] = [], purpose: String? = nil) {
        self.route = route
        self.subject = subject
        self.filters = filters
        self.fields = fields
        self.purpose = purpose
    }

    /// Encodes every member, absent ones as explicit nulls, so the stored shape never varies.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(route, forKey: .route)
        try container.encode(subject, forKey: .subject)
        try container.encode(filters, forKey: .filters)
        try container.encode(fields, forKey: .fields)
        try container.encode(purpose, forKey: .purpose)
    }
}
