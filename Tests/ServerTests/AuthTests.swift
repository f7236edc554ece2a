import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections
import Testing

@testable import Server

/// Bearer tokens, their store, and the 401/403 rules of every route.
struct AuthTests {
    // MARK: - The token store

    @Test func createThenVerify() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            let issued = try tokens.create(user: "ana", role: .manager)
            let parts = issued.bearer.split(separator: "_")
            #expect(parts.count == 3 && parts[0] == "crm" && parts[1] == Substring(issued.record.id) && parts[2].count == 64)
            let principal = try tokens.verify(issued.bearer)
            #expect(principal == Principal(tokenId: issued.record.id, user: "ana", role: .manager,
                                           permissions: Role.manager.permissions()))
            #expect(principal.actor == Actor(id: "ana", role: "manager"))
            // Neither the record nor the list holds the secret.
            let listed = try tokens.list()
            #expect(listed == [issued.record])
            let stored = String(decoding: try JSONEncoder().encode(listed[0]), as: UTF8.self)
            #expect(!stored.contains(String(parts[2])))
            #expect(listed[0].secretHash == TokenStore.hash(salt: Hex.decode(listed[0].salt)!, secret: Hex.decode(parts[2])!).description)
        }
    }

    @Test func theSecretIsSaltedBeforeHashing() throws {
        let secret = secureRandomBytes(32)
        let first = TokenStore.hash(salt: secureRandomBytes(16), secret: secret)
        let second = TokenStore.hash(salt: secureRandomBytes(16), secret: secret)
        #expect(first != second)
        #expect(first != secret.withUnsafeBytes { SHA256Digest.hash($0) })
    }

    @Test func everyTokenHasItsOwnSaltAndId() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            let records = try (0..<5).map { _ in try tokens.create(user: "ana", role: .admin).record }
            #expect(Set(records.map(\.salt)).count == 5)
            #expect(Set(records.map(\.secretHash)).count == 5)
            #expect(Set(records.map(\.id)).count == 5)
        }
    }

    @Test func wrongMalformedAndUnknownTokensAreInvalid() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            let issued = try tokens.create(user: "ana", role: .admin)
            let id = issued.record.id
            let otherSecret = Hex.encode(secureRandomBytes(32))
            for bearer in ["", "garbage", "crm_\(id)", "crm_\(id)_\(otherSecret)", "crm_0000000000000000_\(otherSecret)",
                           "crm_\(id)_\(otherSecret.prefix(62))", "xyz_\(id)_\(otherSecret)", issued.bearer + "0"] {
                #expect(throws: TokenStoreError.invalidToken, "\(bearer)") { try tokens.verify(bearer) }
            }
        }
    }

    @Test("the bearer token is read byte-wise: the scheme in any case, HTTP's spaces and tabs around the token dropped")
    func bearerTokenOfTheHeader() {
        let token = "crm_0123456789abcdef_" + String(repeating: "ab", count: 32)
        for header in ["Bearer \(token)", "bearer \(token)", "BEARER \(token)", "bEaReR   \(token) \t", "Bearer \t\(token)"] {
            #expect(AuthenticationMiddleware.bearerToken(header) == Substring(token), "\(header)")
        }
        for header in ["Basic \(token)", "Bearer", "Bearer ", "Bearer  \t ", "Bearer\t\(token)", "Bearerx\(token)", "Béarer \(token)", "", "bearer"] {
            #expect(AuthenticationMiddleware.bearerToken(header) == nil, "\(header)")
        }
    }

    @Test func revocation() async throws {
        let clock = TestClock(may1st)
        try await withStore { store, _ in
            let tokens = try testTokens(store, clock: clock)
            let issued = try tokens.create(user: "ana", role: .agent)
            clock.set(may1st + hour)
            let revoked = try tokens.revoke(id: issued.record.id)
            #expect(revoked.revokedAt == may1st + hour)
            #expect(throws: TokenStoreError.revoked(id: issued.record.id)) { try tokens.verify(issued.bearer) }
            // A second revocation keeps the first time.
            clock.set(may1st + 2 * hour)
            #expect(try tokens.revoke(id: issued.record.id).revokedAt == may1st + hour)
            #expect(throws: TokenStoreError.unknownToken("nope")) { try tokens.revoke(id: "nope") }
            #expect(try tokens.activeCount() == 0)
        }
    }

    @Test func aVerifiedTokenIsReadAgainAfterAnyCommit() async throws {
        let clock = TestClock(may1st)
        try await withStore { store, _ in
            let tokens = try testTokens(store, clock: clock)
            let issued = try tokens.create(user: "ana", role: .agent)
            let other = try tokens.create(user: "bo", role: .admin)
            #expect(try tokens.verify(issued.bearer).user == "ana")
            #expect(try tokens.verify(other.bearer).user == "bo")
            #expect(tokens.verified.count == 2)
            // The cached record still needs the right secret.
            let wrong = "crm_\(issued.record.id)_\(Hex.encode(secureRandomBytes(32)))"
            #expect(throws: TokenStoreError.invalidToken) { try tokens.verify(wrong) }
            // A commit (this revocation) makes every kept record stale: the next request reads it again.
            try tokens.revoke(id: issued.record.id)
            #expect(throws: TokenStoreError.revoked(id: issued.record.id)) { try tokens.verify(issued.bearer) }
            #expect(try tokens.verify(other.bearer).user == "bo")
        }
    }

    @Test func verifiedTokenCacheBounds() throws {
        let cache = VerifiedTokenCache(maxAge: 1_000, capacity: 2)
        let principal = Principal(tokenId: "a", user: "ana", role: .admin, permissions: Role.admin.permissions())
        let entry = VerifiedTokenCache.Entry(salt: [1], secretHash: SHA256Digest.hash(UnsafeRawBufferPointer(start: nil, count: 0)),
                                             principal: principal, revokedAt: nil, expiresAt: nil, transaction: 7, readAt: 10_000)
        cache.store("a", entry)
        #expect(cache.entry("a", transaction: 7, now: 10_999)?.principal == principal)
        // Another transaction, an entry too old, or a clock gone back: read again (and forgotten).
        #expect(cache.entry("a", transaction: 8, now: 10_001) == nil)
        #expect(cache.count == 0)
        cache.store("a", entry)
        #expect(cache.entry("a", transaction: 7, now: 11_000) == nil)
        cache.store("a", entry)
        #expect(cache.entry("a", transaction: 7, now: 9_999) == nil)
        // A full cache starts over rather than growing.
        cache.store("a", entry)
        cache.store("b", entry)
        cache.store("c", entry)
        #expect(cache.count == 1)
        #expect(cache.entry("c", transaction: 7, now: 10_000) != nil)
    }

    @Test func expiry() async throws {
        let clock = TestClock(may1st)
        try await withStore { store, _ in
            let tokens = try testTokens(store, clock: clock)
            let issued = try tokens.create(user: "ana", role: .auditor, expiresAt: may1st + day)
            #expect(try tokens.verify(issued.bearer).role == .auditor)
            clock.set(may1st + day)
            #expect(throws: TokenStoreError.expired(id: issued.record.id)) { try tokens.verify(issued.bearer) }
            #expect(throws: TokenStoreError.invalidExpiry("the expiry time must be in the future")) {
                try tokens.create(user: "ana", role: .admin, expiresAt: may1st)
            }
        }
        #expect(TokenExpiry.milliseconds(from: "30d", now: may1st) == may1st + 30 * day)
        #expect(TokenExpiry.milliseconds(from: "12h", now: may1st) == may1st + 12 * hour)
        #expect(TokenExpiry.milliseconds(from: "45m", now: may1st) == may1st + 45 * 60_000)
        #expect(TokenExpiry.milliseconds(from: "2024-05-02T09:30:00Z", now: may1st) == may1st + day)
        #expect(TokenExpiry.milliseconds(from: "2024-05-02", now: may1st) == 1_714_608_000_000)
        for bad in ["", "d", "0d", "-1d", "soon", "99999999999999999d"] {
            #expect(TokenExpiry.milliseconds(from: bad, now: may1st) == nil, "\(bad)")
        }
    }

    @Test func scopesAndUsersAreChecked() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            #expect(throws: TokenStoreError.self) { try tokens.create(user: "svc", role: .integrator) }
            #expect(throws: TokenStoreError.self) { try tokens.create(user: "ana", role: .admin, scopes: [.logRead]) }
            #expect(throws: TokenStoreError.self) { try tokens.create(user: "", role: .admin) }
            #expect(throws: TokenStoreError.self) { try tokens.create(user: "a\nb", role: .admin) }
            #expect(throws: TokenStoreError.self) { try tokens.create(user: String(repeating: "a", count: 401), role: .admin) }
            let integrator = try tokens.create(user: "svc", role: .integrator, scopes: [.statsRead, .logRead])
            #expect(integrator.record.scopes == [.logRead, .statsRead])
            #expect(try tokens.verify(integrator.bearer).permissions == [.logRead, .statsRead])
        }
    }

    @Test func demoTokensAreRevokedTogether() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            let kept = try tokens.create(user: "ana", role: .admin)
            let demo = try tokens.create(user: "demo-admin", role: .admin, demo: true)
            #expect(try tokens.revokeDemoTokens() == 1)
            #expect(try tokens.revokeDemoTokens() == 0)
            #expect(throws: TokenStoreError.revoked(id: demo.record.id)) { try tokens.verify(demo.bearer) }
            #expect(try tokens.verify(kept.bearer).user == "ana")
        }
    }

    @Test func tokensOutliveTheStoreInstance() async throws {
        try await withStore { store, _ in
            let bearer = try testTokens(store).create(user: "ana", role: .admin).bearer
            // The first instance is gone (its environment closed) before the second opens.
            #expect(try testTokens(store).verify(bearer).user == "ana")
        }
    }

    // MARK: - Roles

    @Test func rolePermissions() {
        #expect(Role.admin.permissions() == Set(Permission.allCases))
        #expect(Role.auditor.permissions().isSuperset(of: [.auditRead, .auditExport, .logRead, .customersRead, .analyticsRead]))
        #expect(!Role.auditor.permissions().contains(.customersWrite))
        #expect(Role.auditor.permissions().allSatisfy { $0.isRead || $0 == .auditExport })
        #expect(Role.manager.permissions().contains(.customersWrite))
        #expect(!Role.manager.permissions().contains(.streamsAppend))
        #expect(!Role.agent.permissions().contains(.streamsAppend))
        #expect(!Role.agent.permissions().contains(.analyticsRead))
        #expect(Role.integrator.permissions() == [])
        #expect(Role.integrator.permissions(scopes: [.auditRead]) == [.auditRead])
        #expect(!Role.auditor.permissions().contains(.projectionsRebuild))
        #expect(!Role.auditor.permissions().contains(.streamsAppend))
    }

    // MARK: - HTTP

    @Test func healthIsPublic() async throws {
        try await withAuthAPI { client, _ in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            // A bad token on a public route is ignored, not refused.
            try await client.execute(uri: "/health", method: .get, headers: [.authorization: "Bearer nonsense"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func missingOrInvalidTokensAre401() async throws {
        let clock = TestClock(may1st)
        try await withAuthAPI(clock: clock) { client, tokens in
            let revoked = try tokens.create(user: "old", role: .admin)
            try tokens.revoke(id: revoked.record.id)
            let expiring = try tokens.create(user: "temp", role: .admin, expiresAt: may1st + hour)
            clock.set(may1st + hour)
            let cases: [(String?, String)] = [
                (nil, "needs Authorization"),
                ("Bearer", "must be 'Bearer <token>'"),
                ("Basic YWxpY2U6c2VjcmV0", "must be 'Bearer <token>'"),
                ("Bearer garbage", "not valid"),
                ("Bearer crm_\(revoked.record.id)_\(Hex.encode(secureRandomBytes(32)))", "not valid"),
                ("Bearer \(revoked.bearer)", "revoked"),
                ("Bearer \(expiring.bearer)", "expired"),
            ]
            for (header, detail) in cases {
                var headers = HTTPFields()
                if let header { headers[.authorization] = header }
                for uri in ["/v1/log/head", "/v1/audit/verify", "/no/such/route"] {
                    try await client.execute(uri: uri, method: .get, headers: headers) { response in
                        let problem = try expectProblem(response, status: .unauthorized, code: "unauthenticated")
                        #expect((problem["detail"] as? String)?.contains(detail) == true, "\(header ?? "none") \(uri): \(problem)")
                        #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="crm""#)
                    }
                }
            }
            // The scheme is case-insensitive; an authenticated caller gets the router's 404.
            let admin = try tokens.create(user: "root", role: .admin).bearer
            try await client.execute(uri: "/no/such/route", method: .get, headers: [.authorization: "bearer \(admin)"]) { response in
                try expectProblem(response, status: .notFound, code: "unknown-route")
            }
        }
    }

    @Test func aRevokedTokenIsRefusedOnTheNextRequest() async throws {
        try await withAuthAPI { client, tokens in
            let issued = try tokens.create(user: "ana", role: .admin)
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/log/head", method: .get, headers: [.authorization: "Bearer \(issued.bearer)"]) { response in
                    #expect(response.status == .ok)
                }
            }
            try tokens.revoke(id: issued.record.id)
            try await client.execute(uri: "/v1/log/head", method: .get, headers: [.authorization: "Bearer \(issued.bearer)"]) { response in
                let problem = try expectProblem(response, status: .unauthorized, code: "unauthenticated")
                #expect((problem["detail"] as? String)?.contains("revoked") == true)
            }
        }
    }

    @Test func forbiddenNamesTheMissingPermission() async throws {
        try await withAuthAPI { client, tokens in
            let agent = try tokens.create(user: "aga", role: .agent).bearer
            try await client.execute(uri: "/v1/events?from=1", method: .get, headers: [.authorization: "Bearer \(agent)"]) { response in
                let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                #expect(problem["permission"] as? String == "log.read")
                #expect((problem["detail"] as? String)?.contains("log.read") == true)
                #expect((problem["detail"] as? String)?.contains("agent") == true)
            }
            let auditor = try tokens.create(user: "aud", role: .auditor).bearer
            try await client.execute(uri: "/v1/projections/customer360/rebuild", method: .post,
                                     headers: [.authorization: "Bearer \(auditor)"]) { response in
                let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                #expect(problem["permission"] as? String == "projections.rebuild")
            }
        }
    }

    /// Every role against every route of the table: allowed exactly when the role holds the
    /// route's permission; the answer is then the route's own (never 401, 403 or unknown-route).
    @Test(arguments: Role.allCases)
    func roleAgainstEveryRoute(role: Role) async throws {
        try await withStore { store, directory in
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
            let running = Task { await engine.run() }
            defer { running.cancel() }
            let tokens = try testTokens(store)
            let scopes: Set<Permission> = role == .integrator ? [.logRead, .statsRead] : []
            let bearer = try tokens.create(user: "u-\(role.rawValue)", role: role, scopes: scopes).bearer
            let granted = role.permissions(scopes: scopes)
            let app = buildApplication(store: store, tokens: tokens, projections: engine, logger: quietLogger)
            try await app.test(.router) { client in
                for (key, requirement) in RoutePermissions.table {
                    let parts = key.split(separator: " ")
                    let method = HTTPRequest.Method(String(parts[0]))!
                    let uri = Self.concrete(String(parts[1]))
                    guard case .permission(let permission) = requirement else {
                        if uri == "/health" {
                            try await client.execute(uri: uri, method: method) { #expect($0.status == .ok) }
                        }
                        continue
                    }
                    try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(bearer)"]) { response in
                        if granted.contains(permission) {
                            #expect(![.unauthorized, .forbidden].contains(response.status), "\(role) \(key): \(response.text)")
                            #expect(!response.text.contains("unknown-route"), "\(key) is in the table but not routed")
                            #expect(!response.text.contains("no access rule"), "\(key)")
                        } else {
                            let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                            #expect(problem["permission"] as? String == permission.rawValue, "\(role) \(key)")
                        }
                    }
                    // And without a token, every non-public route is 401.
                    try await client.execute(uri: uri, method: method) { response in
                        try expectProblem(response, status: .unauthorized, code: "unauthenticated")
                    }
                }
            }
        }
    }

    /// The actor and source of an append come from the token and the request, not from a body.
    @Test func appendMetadataComesFromTheAuthenticatedRequest() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            let bearer = try tokens.create(user: "mia", role: .manager).bearer
            let router = Router(context: CRMRequestContext.self)
            router.add(middleware: ProblemMiddleware())
            router.add(middleware: AuthenticationMiddleware(tokens: tokens))
            router.post("/whoami") { _, context -> String in
                let metadata = try #require(context.appendMetadata(reason: "test"))
                return "\(metadata.actor.id) \(metadata.actor.role) \(metadata.source.userAgent) \(metadata.source.clientAddress)"
            }
            let app = Application(router: router, logger: quietLogger)
            try await app.test(.router) { client in
                let body = ByteBuffer(string: #"{"actor":{"id":"root","role":"admin"}}"#)
                try await client.execute(uri: "/whoami", method: .post,
                                         headers: [.authorization: "Bearer \(bearer)", .userAgent: "crm-tests/2"], body: body) { response in
                    #expect(response.status == .ok)
                    #expect(response.text == "mia manager crm-tests/2 unknown")
                }
            }
        }
    }

    // MARK: - Helpers

    /// The API with a token store the test controls, and no token sent unless the test sends one.
    func withAuthAPI(clock: TestClock? = nil, _ test: @Sendable (any TestClientProtocol, TokenStore) async throws -> Void) async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store, clock: clock)
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: store.directory + "/projections")
            let app = buildApplication(store: store, tokens: tokens, projections: engine, logger: quietLogger)
            try await app.test(.router) { client in try await test(client, tokens) }
        }
    }

    /// A request path for a route pattern, with ids the seeded store has.
    static func concrete(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: "{position}", with: "1")
            .replacingOccurrences(of: "{stream}", with: "customer-1")
            .replacingOccurrences(of: "{name}", with: "customer360")
            .replacingOccurrences(of: "{id}", with: "C1")
            // The live feed follows the log until the client leaves; `through=0` makes it end at once.
            .replacingOccurrences(of: "/v1/feed", with: "/v1/feed?through=0")
    }
}
