import Foundation
import Hummingbird
import HTTPTypes

extension HTTPField.Name {
    /// A client-chosen key that makes a command safe to retry (`IdempotencyStore`).
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// Why a command was issued, recorded as the events' reason in the audit trail.
    static let reason = HTTPField.Name("X-Reason")!
}

/// The request headers a command route reads, checked: `If-Match`, `Idempotency-Key`, `X-Reason`.
struct CommandHeaders: Sendable, Equatable {
    /// The stream version the caller expects (`If-Match: 3` or `If-Match: "3"`).
    var ifMatch: UInt64?
    var idempotencyKey: String?
    var reason: String?

    /// The longest idempotency key and reason accepted.
    static let maxKeyLength = 200
    static let maxReasonLength = 500

    init(ifMatch: UInt64? = nil, idempotencyKey: String? = nil, reason: String? = nil) {
        self.ifMatch = ifMatch
        self.idempotencyKey = idempotencyKey
        self.reason = reason
    }

    /// - Throws: 400 `invalid-parameter` naming the header that is malformed.
    init(_ headers: HTTPFields) throws {
        if let raw = headers[.ifMatch] {
            var text = raw.trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
            guard let version = UInt64(text) else {
                throw APIError.invalidParameter("If-Match", "If-Match must be a stream version such as 3 or \"3\", got '\(raw)'")
            }
            ifMatch = version
        }
        if let key = headers[.idempotencyKey] {
            guard !key.isEmpty, key.count <= Self.maxKeyLength else {
                throw APIError.invalidParameter("Idempotency-Key", "Idempotency-Key must have 1 to \(Self.maxKeyLength) characters")
            }
            idempotencyKey = key
        }
        if let reason = headers[.reason] {
            guard !reason.isEmpty, reason.count <= Self.maxReasonLength else {
                throw APIError.invalidParameter("X-Reason", "X-Reason must have 1 to \(Self.maxReasonLength) characters")
            }
            self.reason = reason
        }
    }
}
