import Server

/// The tokens `crm serve --demo` prints: one per role, fresh on every demo start.
///
/// Secrets are shown once and only their hashes are stored, so the previous start's demo tokens
/// cannot be shown again; they are revoked and replaced instead, leaving no forgotten demo token
/// active.
enum DemoTokens {
    struct Token: Sendable {
        var role: Role
        var user: String
        var bearer: String
    }

    /// The demo integrator's scopes: what a reporting integration typically reads.
    static let integratorScopes: Set<Permission> = [.logRead, .customersRead]

    /// Revokes the previous demo tokens and creates one per role. A token's user is the one
    /// `users` names for its role (a real manager or agent of the demo data, so row scopes show
    /// their customers), else `demo-<role>`.
    static func issue(in store: TokenStore, users: [Role: String] = [:]) throws(TokenStoreError) -> [Token] {
        try store.revokeDemoTokens()
        var tokens: [Token] = []
        for role in Role.allCases {
            let user = users[role] ?? "demo-\(role.rawValue)"
            let issued = try store.create(user: user, role: role,
                                          scopes: role == .integrator ? integratorScopes : [], demo: true)
            tokens.append(Token(role: role, user: user, bearer: issued.bearer))
        }
        return tokens
    }
}
