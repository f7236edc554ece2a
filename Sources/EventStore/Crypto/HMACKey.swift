import COpenSSL

/// A key for HMAC-SHA-256, used to sign chain checkpoints.
///
/// Without the key, nobody who rewrites the whole chain can produce a checkpoint that verifies,
/// which is what makes a wholesale rewrite detectable.
public struct HMACKey: Sendable {
    private let secret: SecretBytes

    /// Wraps existing key bytes (at least 16 bytes; 32 recommended).
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count >= 16 else { throw CryptoError.keyTooShort(bytes.count) }
        secret = SecretBytes(bytes)
    }

    /// A fresh random 32-byte key.
    public static func generate() -> HMACKey {
        try! HMACKey(bytes: secureRandomBytes(32))
    }

    /// HMAC-SHA-256 of `message`.
    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        message.withUnsafeBytes { msg in
            _ = HMAC(EVP_sha256(), secret.buffer.baseAddress, Int32(secret.count),
                     msg.baseAddress?.assumingMemoryBound(to: UInt8.self), msg.count, &out, &length)
        }
        return out
    }

    /// Checks a code in constant time.
    public func isValid(_ code: [UInt8], for message: [UInt8]) -> Bool {
        constantTimeEqual(authenticationCode(for: message), code)
    }
}

/// Why a cryptographic operation refused its input.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    case keyTooShort(Int)
    case wrongKeyLength(expected: Int, actual: Int)
    case authenticationFailed
    case malformedCiphertext

    public var description: String {
        switch self {
        case .keyTooShort(let n): "key is \(n) bytes; at least 16 are required"
        case .wrongKeyLength(let expected, let actual): "key is \(actual) bytes; expected \(expected)"
        case .authenticationFailed: "ciphertext failed authentication (wrong key or altered data)"
        case .malformedCiphertext: "ciphertext is too short to hold a nonce and a tag"
        }
    }
}
