/// The end of the log: its last position and the chain hash there.
public struct LogHead: Sendable, Equatable {
    /// 0 for an empty log.
    public var position: UInt64
    public var hash: SHA256Digest
    /// Recorded time of the last event (ms since epoch), 0 for an empty log.
    public var recordedAt: Int64

    public static let empty = LogHead(position: 0, hash: .zero, recordedAt: 0)
}

/// A signed statement "the chain had hash `hash` at `position`", written periodically and on
/// demand. An HMAC under a key the log does not hold, so rewriting the whole chain (and every
/// hash in it) still contradicts the checkpoints.
public struct SignedCheckpoint: Sendable, Equatable {
    public var position: UInt64
    public var hash: SHA256Digest
    /// When it was signed, ms since epoch.
    public var signedAt: Int64
    /// HMAC-SHA-256 over `position ‖ hash ‖ signedAt` (big-endian integers).
    public var mac: [UInt8]

    var signedMessage: [UInt8] {
        BigEndian.bytes(position) + hash.bytes + BigEndian.bytes(UInt64(bitPattern: signedAt))
    }

    static let storedCount = 8 + 32 + 8 + 32

    var stored: [UInt8] { signedMessage + mac }

    init(position: UInt64, hash: SHA256Digest, signedAt: Int64, mac: [UInt8]) {
        self.position = position
        self.hash = hash
        self.signedAt = signedAt
        self.mac = mac
    }

    init?(stored bytes: UnsafeRawBufferPointer) {
        guard bytes.count == Self.storedCount, let hash = SHA256Digest(bytes: bytes[8..<40]) else { return nil }
        position = BigEndian.uint64(bytes)
        self.hash = hash
        signedAt = Int64(bitPattern: BigEndian.uint64(bytes, at: 40))
        mac = Array(bytes[48..<80])
    }

    static func sign(position: UInt64, hash: SHA256Digest, at time: Int64, key: HMACKey) -> SignedCheckpoint {
        var checkpoint = SignedCheckpoint(position: position, hash: hash, signedAt: time, mac: [])
        checkpoint.mac = key.authenticationCode(for: checkpoint.signedMessage)
        return checkpoint
    }

    func isAuthentic(under key: HMACKey) -> Bool {
        key.isValid(mac, for: signedMessage)
    }
}
