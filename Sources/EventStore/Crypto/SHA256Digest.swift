import COpenSSL

/// A SHA-256 digest, the link type of the tamper-evident chain.
///
/// A value type of exactly 32 bytes so it can be stored inline in an envelope and compared in
/// constant time: comparing hashes with an early-exit loop would leak how much of a forged hash
/// was right.
public struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    /// The number of bytes in a digest.
    public static let byteCount = 32

    /// The hash that precedes position 1: 32 zero bytes.
    public static let zero = SHA256Digest(uncheckedBytes: [UInt8](repeating: 0, count: 32))

    /// The raw digest bytes, always 32 of them.
    public let bytes: [UInt8]

    /// Wraps 32 bytes read from storage; returns nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    init(uncheckedBytes: [UInt8]) {
        self.bytes = uncheckedBytes
    }

    /// Hashes the concatenation of `parts` in one pass.
    public static func hash(_ parts: UnsafeRawBufferPointer...) -> SHA256Digest {
        var hasher = SHA256Hasher()
        for part in parts { hasher.update(part) }
        return hasher.finalize()
    }

    /// Hex, lower case: how digests appear in logs, the CLI and JSON.
    public var description: String { Hex.encode(bytes) }

    /// Parses 64 hex characters.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// Constant-time equality (`CRYPTO_memcmp`).
    public static func == (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
        constantTimeEqual(lhs.bytes, rhs.bytes)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}

/// An incremental SHA-256 computation over OpenSSL's EVP interface.
///
/// Not `Sendable` and not copyable: it owns an `EVP_MD_CTX` that must be freed exactly once and
/// used from one place at a time.
public struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    /// Starts an empty hash.
    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("OpenSSL could not initialise SHA-256; libcrypto is unusable")
        }
        self.context = context
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Ends the computation and returns the digest.
    public consuming func finalize() -> SHA256Digest {
        var out = [UInt8](repeating: 0, count: SHA256Digest.byteCount)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return SHA256Digest(uncheckedBytes: out)
    }

    deinit { EVP_MD_CTX_free(context) }
}

/// Compares two byte arrays without exiting early on the first difference.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
    }
}
