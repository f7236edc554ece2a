import COpenSSL

/// Key material that is wiped with `OPENSSL_cleanse` when the last reference goes away.
///
/// A final class so that copies of a key value share one buffer and the wipe happens exactly once.
/// `@unchecked Sendable` is safe because the buffer is written only in `init` and wiped only in
/// `deinit`, when no other reference can exist; every other access is a read.
final class SecretBytes: @unchecked Sendable {
    let pointer: UnsafeMutableRawBufferPointer

    init(_ bytes: [UInt8]) {
        let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        self.pointer = pointer
        count = bytes.count
    }

    let count: Int

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(pointer)[0..<count]) }

    deinit {
        OPENSSL_cleanse(pointer.baseAddress, pointer.count)
        pointer.deallocate()
    }
}

/// Random bytes from OpenSSL's CSPRNG.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    guard RAND_bytes(&out, Int32(count)) == 1 else {
        fatalError("OpenSSL's random generator failed; refusing to create weak keys")
    }
    return out
}
