import Foundation

/// A data subject was erased on request: the data keys of `erasedSubjects` (the subject and every
/// subject it owns: a customer's contacts, opportunities and originating lead) are destroyed, so
/// their personal values read as `erased` from now on. Holds no personal data itself; the reason is
/// in the envelope.
///
/// Appended to the stream of the record the subject names (a contact's to its customer's stream).
public struct SubjectErased: DomainEvent {
    public static let eventType = "SubjectErased"
    /// The subject the erasure was asked for, e.g. `customer:C000014`.
    public var subject: String
    /// Every subject whose key was destroyed, the requested one first.
    public var erasedSubjects: [String]
    /// True when the erasure was re-applied on start-up (after restoring a backup taken before it,
    /// or after a crash between destroying the keys and recording the event).
    public var reapplied: Bool
    public var occurredAt: Date

    public init(subject: String, erasedSubjects: [String], reapplied: Bool, occurredAt: Date) {
        self.subject = subject
        self.erasedSubjects = erasedSubjects
        self.reapplied = reapplied
        self.occurredAt = occurredAt
    }
}
