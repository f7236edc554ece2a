import Testing
@testable import EventStore

@Suite("Crypto wrappers")
struct CryptoTests {
    @Test("SHA-256 matches the published test vector")
    func sha256() {
        let digest = Array("abc".utf8).withUnsafeBytes { SHA256Digest.hash($0) }
        #expect(digest.description == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest(hex: digest.description) == digest)
    }

    @Test("HMAC-SHA-256 matches RFC 4231 test case 2")
    func hmac() throws {
        let key = try HMACKey(bytes: Array("Jefe".utf8) + Array(repeating: 0, count: 12))
        // With the key zero-padded to 16 bytes, HMAC is unchanged (keys are zero-padded to the block size).
        let code = key.authenticationCode(for: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(key.isValid(code, for: Array("what do ya want for nothing?".utf8)))
        #expect(!key.isValid(code, for: Array("what do ya want for something?".utf8)))
    }

    @Test("AES-256-GCM round-trips and rejects a wrong key, altered bytes or other associated data")
    func aead() throws {
        let key = AEADKey.generate()
        let sealed = key.seal(Array("alice@example.com".utf8), associatedData: [1, 2, 3])
        #expect(try key.open(sealed, associatedData: [1, 2, 3]) == Array("alice@example.com".utf8))
        #expect(throws: CryptoError.authenticationFailed) { try AEADKey.generate().open(sealed, associatedData: [1, 2, 3]) }
        #expect(throws: CryptoError.authenticationFailed) { try key.open(sealed, associatedData: [1, 2, 4]) }
        var altered = sealed
        altered[14] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try key.open(altered, associatedData: [1, 2, 3]) }
        #expect(throws: CryptoError.malformedCiphertext) { try key.open([1, 2], associatedData: []) }
        #expect(try key.open(key.seal([], associatedData: []), associatedData: []) == [])
    }
}
