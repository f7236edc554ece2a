import EventStore
import Foundation

/// The API's bearer tokens, in an LMDB environment of their own (`<data>/tokens/` by default).
///
/// A token is `crm_<id>_<secret>`: a public 16-hex-digit id and 32 random bytes from OpenSSL's
/// generator. The store keeps, under the id, the token's user, role, scopes and life, a random
/// salt and SHA-256(salt ‖ secret) — never the secret — so a copy of the store cannot be used to
/// call the API, and equal secrets would still hash differently. Verification looks the id up and
/// compares hashes in constant time (`SHA256Digest`'s `==`, `CRYPTO_memcmp`).
///
/// Separate from the event log so that `crm token create` and `crm token revoke` work while a
/// server holds the log's lock: LMDB lets several processes share the environment. Verification
/// keeps the records it read (`VerifiedTokenCache`) only until the environment's next commit,
/// by any process, so a revocation still takes effect on the next request.
public final class TokenStore: Sendable {
    /// The LMDB environment's directory.
    public let directory: String
    private let storage: KeyValueStore
    private let clock: @Sendable () -> Int64
    /// Records read by `verify`, used while the environment has no newer commit.
    let verified = VerifiedTokenCache()

    private static let tokens = 0
    /// Actor ids are keys of the log's actor index, which holds at most 400 bytes.
    static let maxUserBytes = 400

    /// The wall clock in milliseconds since the Unix epoch.
    public static let wallClock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Opens the store in `directory`, creating it if missing.
    ///
    /// - Parameter clock: Creation, expiry and revocation times (tests move it by hand).
    /// - Throws: `.storage` when the environment cannot be opened.
    public init(directory: String, clock: @escaping @Sendable () -> Int64 = TokenStore.wallClock) throws(TokenStoreError) {
        self.directory = directory
        self.clock = clock
        do {
            storage = try KeyValueStore(directory: directory, tables: ["tokens"], mapSize: 64 << 20)
        } catch {
            throw .storage("cannot open \(directory): \(error)")
        }
    }

    /// Creates a token and returns it with its bearer secret, which is not stored and cannot be
    /// shown again.
    ///
    /// - Parameters:
    ///   - scopes: An integrator's permissions (at least one); must be empty for other roles.
    ///   - expiresAt: Milliseconds since the epoch after which the token is refused; nil: never.
    ///   - demo: Marks the token as one of `crm serve --demo`'s, revoked at the next demo start.
    /// - Throws: `.invalidUser`, `.invalidScopes`, `.invalidExpiry`, or `.storage`.
    public func create(user: String, role: Role, scopes: Set<Permission> = [], expiresAt: Int64? = nil,
                       demo: Bool = false) throws(TokenStoreError) -> IssuedToken {
        guard !user.isEmpty, user.utf8.count <= Self.maxUserBytes,
              !user.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidUser("the user must be 1 to \(Self.maxUserBytes) bytes without control characters")
        }
        if role == .integrator, scopes.isEmpty {
            throw .invalidScopes("an integrator token needs at least one scope (\(Permission.allCases.filter { !$0.isAdminOnly }.map(\.rawValue).joined(separator: ", ")))")
        }
        if role != .integrator, !scopes.isEmpty {
            throw .invalidScopes("scopes apply to integrator tokens only; a \(role.rawValue) has the role's permissions")
        }
        if let adminOnly = scopes.sorted().first(where: \.isAdminOnly) {
            throw .invalidScopes("\(adminOnly.rawValue) is for admins only; it cannot be an integrator's scope")
        }
        let now = clock()
        if let expiresAt, expiresAt <= now {
            throw .invalidExpiry("the expiry time must be in the future")
        }
        let secret = secureRandomBytes(32)
        let salt = secureRandomBytes(16)
        let record = TokenRecord(
            id: Hex.encode(secureRandomBytes(8)), user: user, role: role, scopes: scopes.sorted(), createdAt: now,
            expiresAt: expiresAt, demo: demo, salt: Hex.encode(salt), secretHash: Self.hash(salt: salt, secret: secret).description)
        try mapped {
            try storage.write { writer in
                // 64 random bits make a collision practically impossible; refuse rather than overwrite.
                guard try writer.reader.get(Self.tokens, Array(record.id.utf8)) == nil else {
                    throw TokenStoreError.storage("token id collision; try again")
                }
                try writer.put(Self.tokens, Array(record.id.utf8), try Self.encode(record))
            }
        }
        return IssuedToken(record: record, bearer: "crm_\(record.id)_\(Hex.encode(secret))")
    }

    /// The principal a presented bearer token authenticates.
    ///
    /// - Throws: `.invalidToken` for a malformed or unknown token or a wrong secret (one answer
    ///   for all three, so a caller learns nothing about which ids exist); `.revoked` or
    ///   `.expired` only when the secret matched; `.storage` when the store fails.
    public func verify(_ bearer: some StringProtocol) throws(TokenStoreError) -> Principal {
        let parts = bearer.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "crm", parts[1].utf8.count == 16, Hex.decode(parts[1]) != nil,
              parts[2].utf8.count == 64, let secret = Hex.decode(parts[2]) else {
            throw .invalidToken
        }
        let id = String(parts[1])
        let now = clock()
        let token: VerifiedTokenCache.Entry
        if let cached = verified.entry(id, transaction: storage.lastCommittedTransaction, now: now) {
            token = cached
        } else {
            // The transaction id is taken before the read: a commit in between makes the entry
            // stale at once rather than hiding behind it.
            let transaction = storage.lastCommittedTransaction
            guard let record = try self.record(id: id),
                  let salt = Hex.decode(record.salt), let stored = SHA256Digest(hex: record.secretHash) else {
                // Hash anyway, so an unknown id costs what a wrong secret costs.
                _ = Self.hash(salt: [UInt8](repeating: 0, count: 16), secret: secret)
                throw .invalidToken
            }
            token = VerifiedTokenCache.Entry(salt: salt, secretHash: stored, principal: record.principal, revokedAt: record.revokedAt,
                                             expiresAt: record.expiresAt, transaction: transaction, readAt: now)
            verified.store(id, token)
        }
        guard Self.hash(salt: token.salt, secret: secret) == token.secretHash else { throw .invalidToken }
        if token.revokedAt != nil { throw .revoked(id: id) }
        if let expiresAt = token.expiresAt, now >= expiresAt { throw .expired(id: id) }
        return token.principal
    }

    /// One token's record, or nil.
    public func record(id: String) throws(TokenStoreError) -> TokenRecord? {
        try mapped {
            try storage.read { reader in try reader.get(Self.tokens, Array(id.utf8)).map(Self.decode) }
        }
    }

    /// Every token, oldest first (without secrets, which the store does not have).
    public func list() throws(TokenStoreError) -> [TokenRecord] {
        let records = try mapped {
            try storage.read { reader in
                var records: [TokenRecord] = []
                try reader.scan(Self.tokens) { _, value in
                    records.append(try Self.decode(Array(value)))
                    return true
                }
                return records
            }
        }
        return records.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Revokes a token for good; revoking a revoked token keeps its first revocation time.
    ///
    /// - Returns: The token's record after revocation.
    /// - Throws: `.unknownToken` when no token has that id.
    @discardableResult
    public func revoke(id: String) throws(TokenStoreError) -> TokenRecord {
        let now = clock()
        return try mapped {
            try storage.write { writer in
                guard let bytes = try writer.reader.get(Self.tokens, Array(id.utf8)) else {
                    throw TokenStoreError.unknownToken(id)
                }
                var record = try Self.decode(bytes)
                if record.revokedAt == nil {
                    record.revokedAt = now
                    try writer.put(Self.tokens, Array(id.utf8), try Self.encode(record))
                }
                return record
            }
        }
    }

    /// Revokes every demo token that is still active (a demo start shows fresh ones).
    ///
    /// - Returns: How many were revoked.
    @discardableResult
    public func revokeDemoTokens() throws(TokenStoreError) -> Int {
        let now = clock()
        return try mapped {
            try storage.write { writer in
                var revoked: [TokenRecord] = []
                try writer.reader.scan(Self.tokens) { _, value in
                    var record = try Self.decode(Array(value))
                    if record.demo, record.revokedAt == nil {
                        record.revokedAt = now
                        revoked.append(record)
                    }
                    return true
                }
                for record in revoked { try writer.put(Self.tokens, Array(record.id.utf8), try Self.encode(record)) }
                return revoked.count
            }
        }
    }

    /// How many tokens authenticate now.
    public func activeCount() throws(TokenStoreError) -> Int {
        let now = clock()
        return try list().filter { $0.isActive(at: now) }.count
    }

    static func hash(salt: [UInt8], secret: [UInt8]) -> SHA256Digest {
        var hasher = SHA256Hasher()
        hasher.update(salt)
        hasher.update(secret)
        return hasher.finalize()
    }

    private static func encode(_ record: TokenRecord) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(record))
    }

    private static func decode(_ bytes: [UInt8]) throws -> TokenRecord {
        try JSONDecoder().decode(TokenRecord.self, from: Data(bytes))
    }

    private func mapped<T>(_ body: () throws -> T) throws(TokenStoreError) -> T {
        do {
            return try body()
        } catch let error as TokenStoreError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }
}
