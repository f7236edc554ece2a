import EventStore
import Foundation
import Hummingbird

/// Records reads of personal data as `DataAccessed` events in the `system-access` stream.
///
/// Call `record` before the data leaves the server: the append is durable when it returns, so a
/// read that could not be recorded is not answered (the caller gets the append's error instead).
/// Used by the audit export for every caller, and meant for the customer 360 and contact reads
/// when the caller is an auditor (`shouldRecord`).
struct AccessRecorder: Sendable {
    /// The longest `purpose` accepted; a longer one is a 400.
    static let maxPurposeBytes = 500

    /// The log the access events are appended to.
    let store: EventStore

    /// Whether a read of personal data by `principal` must be recorded: auditors read across
    /// every team's customers without being their managers, so each of their reads is accounted for.
    static func shouldRecord(_ principal: Principal?) -> Bool {
        principal?.role == .auditor
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
        let event = try ProposedEvent(type: DataAccessed.eventType, encoding: access)
        let result = try await store.append(DataAccessed.stream, [event], expected: .any, metadata: metadata)
        return result.positions.last ?? 0
    }
}
