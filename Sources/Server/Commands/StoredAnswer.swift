/// The first answer to a request made with an `Idempotency-Key`, as `IdempotencyStore` keeps it
/// for replay: a retry gets the same status, body and headers, byte for byte. That includes a
/// refusal decided by the domain or the store (a rule, a conflict: `application/problem+json`);
/// a request refused before it was decided (a malformed body, a missing permission) stores nothing.
struct StoredAnswer: Codable, Sendable, Equatable {
    /// SHA-256 (hex) of the request's method, route, parameters, body and preconditions: a
    /// different request under the same key is refused instead of answered.
    var fingerprint: String
    var status: Int
    /// The JSON body as sent.
    var body: String
    /// `X-Log-Position` as sent.
    var position: UInt64
    /// `ETag` as sent; none for a refusal.
    var etag: String?
    /// `Content-Type` as sent: `application/json`, or `application/problem+json` for a refusal.
    var contentType: String = "application/json"
    /// `Location` as sent, for creations.
    var location: String?
}
