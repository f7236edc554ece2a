/// The key of one data subject (a customer, contact or lead): it seals the personal parts of that
/// subject's events, and destroying it is what erasing the subject means.
///
/// Sealing is deterministic: the nonce is an HMAC of the event id and the plaintext under a key
/// derived from the data key. A retried append of the same event therefore produces the same
/// bytes (the log recognises it as the same event), while two different plaintexts never share a
/// nonce, which GCM requires.
public struct DataKey: Sendable {
    /// The length of the stored key material.
    public static let byteCount = AEADKey.byteCount

    let material: SecretBytes
    /// Where the key is stored: its slot in `<data>/keys` (`SealedData.keySlot`), or nil for a key
    /// stored under its subject's name by earlier versions.
    public let slot: UInt64?
    private let cipher: AEADKey
    private let nonceKey: HMACKey

    /// Wraps 32 bytes of key material.
    public init(bytes: [UInt8], slot: UInt64? = nil) throws(CryptoError) {
        self.slot = slot
        cipher = try AEADKey(bytes: bytes)
        material = SecretBytes(bytes)
        let derivingKey = try HMACKey(bytes: bytes)
        nonceKey = try HMACKey(bytes: derivingKey.authenticationCode(for: Array("crm-data-key-nonce/1".utf8)))
    }

    /// A fresh random key.
    public static func generate(slot: UInt64? = nil) -> DataKey {
        try! DataKey(bytes: secureRandomBytes(byteCount), slot: slot)
    }

    /// `nonce ‖ ciphertext ‖ tag` of `plaintext`, bound to `eventId` (the associated data).
    public func seal(_ plaintext: [UInt8], eventId: [UInt8]) -> [UInt8] {
        let nonce = Array(nonceKey.authenticationCode(for: eventId + plaintext.withUnsafeBytes { SHA256Digest.hash($0) }.bytes).prefix(AEADKey.nonceCount))
        return cipher.seal(plaintext, associatedData: eventId, nonce: nonce)
    }

    /// The plaintext of `sealed`, if it was sealed under this key for `eventId`.
    public func open(_ sealed: [UInt8], eventId: [UInt8]) throws(CryptoError) -> [UInt8] {
        try cipher.open(sealed, associatedData: eventId)
    }

    /// The raw key bytes, for wrapping under the master key only.
    var bytes: [UInt8] { Array(material.buffer) }
}
