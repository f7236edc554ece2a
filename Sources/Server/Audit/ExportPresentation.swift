import Domain
import EventStore

/// How the audit export shows each event's data (NDJSON; CSV carries no event data).
///
/// - `readable`: the data with personal values opened (or `erased` where the subject's key is
///   gone), the stored `sealed` part kept beside it. What an auditor investigating a case needs;
///   recorded as an access like every export.
/// - `pseudonymised` (`pseudonymise=true`): every personal value replaced by its subject's stable
///   pseudonym (`SubjectKeyRing.pseudonym(for:)`, `anon-` and 16 hex digits: the same subject
///   always gets the same one, so analysts can still count and join), and no `sealed` part. Ids
///   (customer, contact, case ids) and everything the catalog declares not personal stay.
///
/// `hash` is always the stored event's: it covers the stored bytes (public data and ciphertext),
/// not the shown data, so the chain is checked with `/v1/audit/verify`, not from an export.
enum ExportPresentation: Sendable {
    case readable(EventRegistry)
    case pseudonymised(SubjectKeyRing)

    /// The event as the export writes it.
    func present(_ event: RecordedEvent) -> RecordedEvent {
        var shown = event
        switch self {
        case .readable(let registry):
            shown.data = registry.readableData(of: event)
        case .pseudonymised(let keyRing):
            shown.sealed = nil
            if let subject = event.sealed?.subject ?? PersonalDataProtection.subject(type: event.type, data: event.data) {
                shown.data = PersonalDataProtection.pseudonymise(type: event.type, data: event.data, pseudonym: keyRing.pseudonym(for: subject))
            }
        }
        return shown
    }
}
