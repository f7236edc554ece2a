import EventStore

/// Who an authenticated request acts for: the token's user, role and permissions.
///
/// Built only by `TokenStore.verify` from a stored token, never from a request body, so the
/// actor recorded on an event is always the one that authenticated.
public struct Principal: Sendable, Equatable {
    /// The token that authenticated the request (its public id, not its secret).
    public var tokenId: String
    /// The user (or service account) the token was issued to.
    public var user: String
    public var role: Role
    /// What the principal may do: the role's permissions, or an integrator's scopes.
    public var permissions: Set<Permission>

    public init(tokenId: String, user: String, role: Role, permissions: Set<Permission>) {
        self.tokenId = tokenId
        self.user = user
        self.role = role
        self.permissions = permissions
    }

    /// Whether the principal holds `permission`.
    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// The actor stamped on events this principal causes.
    public var actor: Actor { Actor(id: user, role: role.rawValue) }
}
