/// Why the token store refused a request; `description` is one sentence for people.
///
/// The authentication middleware maps `.invalidToken`, `.revoked` and `.expired` to 401; the CLI
/// prints any case as its one-line error.
public enum TokenStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A user name that is empty, too long for an actor id, or has control characters.
    case invalidUser(String)
    /// Scopes that do not fit the role (none for an integrator, any for another role).
    case invalidScopes(String)
    /// An expiry time not after the creation time.
    case invalidExpiry(String)
    /// `revoke` named no stored token.
    case unknownToken(String)
    /// The presented bearer token is malformed, unknown, or its secret does not match.
    case invalidToken
    /// The token was revoked.
    case revoked(id: String)
    /// The token's expiry time has passed.
    case expired(id: String)
    /// The store's LMDB environment or a stored record failed.
    case storage(String)

    public var description: String {
        switch self {
        case .invalidUser(let detail), .invalidScopes(let detail), .invalidExpiry(let detail): detail
        case .unknownToken(let id): "no token with id \(id)"
        case .invalidToken: "the bearer token is not valid"
        case .revoked(let id): "token \(id) has been revoked"
        case .expired(let id): "token \(id) has expired"
        case .storage(let detail): "token store: \(detail)"
        }
    }
}
