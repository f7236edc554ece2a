import COpenSSL

/// An AES-256-GCM key: authenticated encryption for the personal parts of event data.
///
/// Sealed form: 12-byte random nonce ‖ ciphertext ‖ 16-byte tag. The associated data (the event
/// id) binds a ciphertext to its event, so it cannot be moved to another event unnoticed.
public struct AEADKey: Sendable {
    /// The key length AES-256 requires.
    public static let byteCount = 32
    public static let nonceCount = 12
    private static let tagCount = 16

    private let secret: SecretBytes

    /// Wraps 32 key bytes.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Self.byteCount else {
            throw CryptoError.wrongKeyLength(expected: Self.byteCount, actual: bytes.count)
        }
        secret = SecretBytes(bytes)
    }

    /// A fresh random key.
    public static func generate() -> AEADKey {
        try! AEADKey(bytes: secureRandomBytes(byteCount))
    }

    /// Encrypts and authenticates `plaintext` under a fresh random nonce, binding `associatedData` to it.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        seal(plaintext, associatedData: associatedData, nonce: secureRandomBytes(Self.nonceCount))
    }

    /// Encrypts under a caller-chosen 12-byte nonce. The caller must never use one nonce for two
    /// different plaintexts under this key (GCM then leaks both); `DataKey` derives it from the
    /// plaintext itself, so equal inputs give equal bytes and different ones different nonces.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8], nonce: [UInt8]) -> [UInt8] {
        precondition(nonce.count == Self.nonceCount, "AES-GCM nonces are 12 bytes")
        guard let ctx = EVP_CIPHER_CTX_new() else { fatalError("OpenSSL: out of memory") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = nonce
        out.append(contentsOf: [UInt8](repeating: 0, count: plaintext.count + Self.tagCount))
        var length: Int32 = 0
        let ok: Bool = out.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceCount), nil) == 1,
                  EVP_EncryptInit_ex(ctx, nil, nil, secret.buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), base) == 1
            else { return false }
            if !associatedData.isEmpty {
                guard EVP_EncryptUpdate(ctx, nil, &length, associatedData, Int32(associatedData.count)) == 1 else { return false }
            }
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(ctx, base + Self.nonceCount, &length, plaintext, Int32(plaintext.count)) == 1 else { return false }
            }
            guard EVP_EncryptFinal_ex(ctx, base + Self.nonceCount + plaintext.count, &length) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagCount), base + Self.nonceCount + plaintext.count) == 1
        }
        guard ok else { fatalError("OpenSSL AES-256-GCM encryption failed") }
        return out
    }

    /// Decrypts `sealed`; throws `.authenticationFailed` if the key, data or associated data differ.
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard sealed.count >= Self.nonceCount + Self.tagCount else { throw .malformedCiphertext }
        guard let ctx = EVP_CIPHER_CTX_new() else { fatalError("OpenSSL: out of memory") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let textCount = sealed.count - Self.nonceCount - Self.tagCount
        var plaintext = [UInt8](repeating: 0, count: max(textCount, 1))
        var length: Int32 = 0
        var tag = Array(sealed[(Self.nonceCount + textCount)...])
        let ok: Bool = sealed.withUnsafeBufferPointer { input in
            let base = input.baseAddress!
            guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceCount), nil) == 1,
                  EVP_DecryptInit_ex(ctx, nil, nil, secret.buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), base) == 1
            else { return false }
            if !associatedData.isEmpty {
                guard EVP_DecryptUpdate(ctx, nil, &length, associatedData, Int32(associatedData.count)) == 1 else { return false }
            }
            if textCount > 0 {
                guard EVP_DecryptUpdate(ctx, &plaintext, &length, base + Self.nonceCount, Int32(textCount)) == 1 else { return false }
            }
            guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagCount), &tag) == 1 else { return false }
            return EVP_DecryptFinal_ex(ctx, &plaintext, &length) == 1
        }
        guard ok else { throw .authenticationFailed }
        return Array(plaintext.prefix(textCount))
    }
}
