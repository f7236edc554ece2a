/// What the token store keeps about one token: who it is for, what it may do, its life, and a
/// salted hash of its secret — never the secret itself, which is shown once at creation.
public struct TokenRecord: Sendable, Equatable, Codable {
    /// The token's public id, the middle part of `crm_<id>_<secret>`; named in lists and revocations.
    public let id: String
    public let user: String
    public let role: Role
    /// An integrator's configured permissions; empty for every other role.
    public let scopes: [Permission]
    /// Creation time, milliseconds since the Unix epoch.
    public let createdAt: Int64
    /// After this time (milliseconds since the epoch) the token is refused; nil: it does not expire.
    public let expiresAt: Int64?
    /// When the token was revoked; a revoked token is refused for good.
    public internal(set) var revokedAt: Int64?
    /// Created by `crm serve --demo`, which revokes the previous demo tokens on every start.
    public let demo: Bool
    /// 16 random bytes, hex, mixed into the hash so equal secrets never give equal stored hashes.
    let salt: String
    /// SHA-256(salt ‖ secret), hex.
    let secretHash: String

    init(id: String, user: String, role: Role, scopes: [Permission], createdAt: Int64, expiresAt: Int64?,
         revokedAt: Int64? = nil, demo: Bool, salt: String, secretHash: String) {
        self.id = id
        self.user = user
        self.role = role
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.demo = demo
        self.salt = salt
        self.secretHash = secretHash
    }

    /// Whether the token authenticates at `now` (not revoked, not expired).
    public func isActive(at now: Int64) -> Bool {
        revokedAt == nil && !isExpired(at: now)
    }

    /// Whether the token's expiry time has passed at `now`.
    public func isExpired(at now: Int64) -> Bool {
        expiresAt.map { now >= $0 } ?? false
    }

    /// The principal the token authenticates.
    var principal: Principal {
        Principal(tokenId: id, user: user, role: role, permissions: role.permissions(scopes: Set(scopes)))
    }
}
