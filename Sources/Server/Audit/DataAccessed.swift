import EventStore
import Foundation

/// The data of an access event: a read of personal data through the API (a customer 360, a
/// customer list page, the service queue, a manager's follow-ups), or an export of the audit
/// trail, recorded so that "who looked at whose data, why" is itself in the tamper-evident log.
///
/// Who (actor and role), from where (client address, user agent, host) and when (recorded time)
/// are the envelope's, taken from the authenticated request like every append's; the data says
/// what was read and why. It is a plain event (not in `EventRegistry.domain`): nothing decides on
/// it, and every projector but the audit index filters it out by type. It holds no personal
/// values, only subject ids and field names, so it is never sealed.
///
/// Schema version 2 added `subjects`; version 1 events (whose `subject` was a bare customer id)
/// decode with `subjects` empty.
struct DataAccessed: Codable, Sendable, Hashable {
    /// The stable type name in the log.
    static let eventType = "DataAccessed"
    /// The schema version new events are written with.
    static let schemaVersion: UInt16 = 2
    /// The stream every access event is appended to. The `system-` prefix is no domain category
    /// (`customer-`, `lead-`, `case-`, …), so it never collides with a record's stream.
    static let stream = "system-access"
    /// The most subjects one event lists (a page holds at most 1,000 rows): the rest are counted
    /// in `omittedSubjects`, so an access event stays small whatever was read.
    static let maxSubjects = 1000

    /// The route pattern that was called, e.g. `GET /v1/audit/export`.
    var route: String
    /// The record read (`customer:C0001`), nil for a list, a search or an export across subjects.
    var subject: String?
    /// Every data subject whose personal values the answer carried (the customer and its contacts
    /// for a 360; each row's customer for a list), at most `maxSubjects`, sorted.
    var subjects: [String]
    /// Subjects beyond `maxSubjects` that the answer also carried.
    var omittedSubjects: Int
    /// The query's filters (`actor`, `since`, `format`, …) as given.
    var filters: [String: String]
    /// The personal fields the answer carried (`email`, `contacts.name`, `items.subject`), or
    /// `events` for an export.
    var fields: [String]
    /// Why the data was read, as the caller stated it (`purpose` query parameter).
    var purpose: String?

    /// An access of `route`; the rest as far as it applies.
    init(route: String, subject: String? = nil, subjects: [String] = [], filters: [String: String] = [:], fields: [String] = [],
         purpose: String? = nil) {
        self.route = route
        self.subject = subject
        let unique = Array(Set(subjects)).sorted()
        self.subjects = Array(unique.prefix(Self.maxSubjects))
        omittedSubjects = unique.count - self.subjects.count
        self.filters = filters
        self.fields = fields
        self.purpose = purpose
    }

    private enum CodingKeys: String, CodingKey {
        case route, subject, subjects, omittedSubjects, filters, fields, purpose
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        route = try container.decode(String.self, forKey: .route)
        subject = try container.decodeIfPresent(String.self, forKey: .subject)
        subjects = try container.decodeIfPresent([String].self, forKey: .subjects) ?? []
        omittedSubjects = try container.decodeIfPresent(Int.self, forKey: .omittedSubjects) ?? 0
        filters = try container.decodeIfPresent([String: String].self, forKey: .filters) ?? [:]
        fields = try container.decodeIfPresent([String].self, forKey: .fields) ?? []
        purpose = try container.decodeIfPresent(String.self, forKey: .purpose)
    }

    /// Encodes every member, absent ones as explicit nulls, so the stored shape never varies.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(route, forKey: .route)
        try container.encode(subject, forKey: .subject)
        try container.encode(subjects, forKey: .subjects)
        try container.encode(omittedSubjects, forKey: .omittedSubjects)
        try container.encode(filters, forKey: .filters)
        try container.encode(fields, forKey: .fields)
        try container.encode(purpose, forKey: .purpose)
    }

    /// Whether this access read the data of any of `subjects` (the aliases of one subject,
    /// `DataSubject.aliases`).
    func names(anyOf subjects: Set<String>) -> Bool {
        if let subject, subjects.contains(subject) { return true }
        return self.subjects.contains { subjects.contains($0) }
    }
}
