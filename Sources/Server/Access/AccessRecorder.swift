import EventStore
import Foundation
import Hummingbird

/// Records reads of personal data as `DataAccessed` events in the `system-access` stream.
///
/// Every role's reads are recorded (issue 6): the customer 360, customer list pages, the service
/// queue and its at-risk view, a manager's follow-ups, and the audit export. One event per
/// request, listing the subjects and fields the answer carried (`PersonalDataRead`), not one per
/// row. An answer that carries no personal value (an empty page, an erased customer) records
/// nothing.
///
/// Call `record` before the data leaves the server: the append is durable when it returns (the
/// log's group commit fsyncs it, shared with whatever else commits at the same moment), so a read
/// that could not be recorded is not answered (the caller gets the append's error instead). This
/// costs a read one durable append; concurrent reads share commits, so the cost is latency, not
/// a write per read on the disk.
struct AccessRecorder: Sendable {
    /// The longest `purpose` accepted; a longer one is a 400.
    static let maxPurposeBytes = 500

    /// The log the access events are appended to.
    let store: EventStore
    /// Where equal access events' encoded data is kept; nil encodes every one.
    var encoded: AccessEventData? = nil

    /// Whether `principal` must state a purpose for reading personal data: auditors read across
    /// every team's customers without being their managers, so each of their reads says why.
    static func purposeRequired(for principal: Principal?) -> Bool {
        principal?.role == .auditor
    }

    /// The `purpose` query parameter: at most `maxPurposeBytes`, not blank, and required from an
    /// auditor (`purposeRequired`). Checked before anything is read.
    static func purpose(_ request: Request, principal: Principal?) throws(APIError) -> String? {
        let purpose = try purpose(request)
        if purpose == nil, purposeRequired(for: principal) {
            throw .invalidParameter("purpose", "an auditor must say why personal data is read: add ?purpose=… (recorded with the access)")
        }
        return purpose
    }

    /// The `purpose` query parameter: optional, at most `maxPurposeBytes`, not blank.
    static func purpose(_ request: Request) throws(APIError) -> String? {
        guard let purpose = request.uri.queryParameters.get("purpose") else { return nil }
        guard !purpose.allSatisfy(\.isWhitespace) else { throw .invalidParameter("purpose", "purpose must not be blank") }
        guard purpose.utf8.count <= maxPurposeBytes else {
            throw .invalidParameter("purpose", "purpose must be at most \(maxPurposeBytes) bytes long")
        }
        return purpose
    }

    /// Appends one access event for the request in `context` and returns its log position.
    ///
    /// - Throws: `APIError` `unauthenticated` without a principal (an access is always someone's),
    ///   or what the append throws.
    @discardableResult
    func record(_ access: DataAccessed, context: CRMRequestContext) async throws -> UInt64 {
        guard let metadata = context.appendMetadata() else {
            throw APIError(.unauthenticated, "an access can only be recorded for an authenticated caller")
        }
        let event = try encoded?.event(for: access)
            ?? ProposedEvent(type: DataAccessed.eventType, schemaVersion: DataAccessed.schemaVersion, encoding: access)
        let result = try await store.append(DataAccessed.stream, [event], expected: .any, metadata: metadata)
        return result.positions.last ?? 0
    }

    /// Records that the answer to `route` carried `read`, unless it carried no personal value;
    /// returns the access event's position, nil when nothing was recorded.
    @discardableResult
    func record(_ read: PersonalDataRead, route: String, subject: String? = nil, filters: [String: String] = [:],
                purpose: String?, context: CRMRequestContext) async throws -> UInt64? {
        guard !read.isEmpty else { return nil }
        return try await record(DataAccessed(route: route, subject: subject, subjects: Array(read.subjects), filters: filters,
                                             fields: read.fields.sorted(), purpose: purpose), context: context)
    }
}
