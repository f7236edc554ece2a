/// What of one event type is personal data, and whose.
///
/// Paths name string members of the event's JSON: `name`, `changes[].old` (a member of every element
/// of an array), `fields.*` (every value of an object). `personal` paths are sealed under the data
/// key of `subject`; `notPersonal` paths stay readable. Every string member of every event must be
/// in one list or the other (a test probes every event type), so a new field cannot slip into the
/// log unclassified.
public struct PersonalFields: Sendable {
    /// Names a data subject from a member of the event: `kind:` + the member's value.
    public struct SubjectReference: Sendable {
        /// `customer`, `contact`, `lead`, `opportunity`.
        public let kind: String
        /// The top-level member holding the record id.
        public let field: String
    }

    /// Whose data the personal paths are; nil when the type holds none.
    public let subject: SubjectReference?
    /// The subject that `subject` belongs to (a contact's customer), recorded when the event is
    /// sealed so that erasing the owner erases it too.
    public let owner: SubjectReference?
    public let personal: [String]
    public let notPersonal: [String]

    /// A type with personal data.
    public static func sealed(_ kind: String, _ field: String, owner: (kind: String, field: String)? = nil,
                              personal: [String], notPersonal: [String]) -> PersonalFields {
        PersonalFields(subject: SubjectReference(kind: kind, field: field),
                       owner: owner.map { SubjectReference(kind: $0.kind, field: $0.field) },
                       personal: personal, notPersonal: notPersonal)
    }

    /// A type without personal data.
    public static func open(_ notPersonal: [String]) -> PersonalFields {
        PersonalFields(subject: nil, owner: nil, personal: [], notPersonal: notPersonal)
    }

    /// A type without personal data that links two subjects (a lead converted into a customer).
    public static func link(_ kind: String, _ field: String, owner: (kind: String, field: String), notPersonal: [String]) -> PersonalFields {
        PersonalFields(subject: SubjectReference(kind: kind, field: field),
                       owner: SubjectReference(kind: owner.kind, field: owner.field), personal: [], notPersonal: notPersonal)
    }
}
