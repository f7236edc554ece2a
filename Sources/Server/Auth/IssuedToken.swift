/// A token just created: its record and the bearer secret, which exists only in this value.
///
/// The store keeps a salted hash, so the caller must show `bearer` to whoever receives the token
/// now; it cannot be recovered later (a lost token is revoked and replaced).
public struct IssuedToken: Sendable {
    public let record: TokenRecord
    /// `crm_<id>_<64 hex digits>`: what a client sends as `Authorization: Bearer …`.
    public let bearer: String
}
