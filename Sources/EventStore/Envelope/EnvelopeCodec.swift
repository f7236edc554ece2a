import Foundation

/// The compact binary layout of a stored envelope (format 1).
///
/// ```
/// offset size  field
///      0    1  format (1)
///      1    1  flags: 1 causation id present, 2 reason present, 4 sealed data present,
///              8 the sealed section starts with the u64 key slot
///      2    1  data encoding (1 = JSON)
///      3    1  reserved (0)
///      4    2  schema version            (all integers big-endian)
///      6    2  reserved (0)
///      8    8  global position
///     16    8  stream version
///     24    8  recorded time, ms since epoch (signed)
///     32   16  event id
///     48   16  correlation id
///     64   16  causation id (zeros when absent)
///     80    …  strings, each u16 length + UTF-8: stream, type, actor id, actor role,
///              client address, user agent, host, reason, sealed subject
///      …    …  u32 length + data bytes
///      …    …  u32 length + sealed section: [key slot u64 if flag 8] ‖ ciphertext
///    end-32 32 chain hash = SHA-256(previous hash ‖ every byte above)
/// ```
/// The header is everything before the data; readers that only need it stop there.
enum EnvelopeCodec {
    static let format: UInt8 = 1
    static let fixedCount = 80
    static let hashCount = SHA256Digest.byteCount
    static let maxStringCount = Int(UInt16.max)

    enum Flag {
        static let causation: UInt8 = 1
        static let reason: UInt8 = 2
        static let sealed: UInt8 = 4
        static let keySlot: UInt8 = 8
    }

    /// Everything the writer knows about an event before hashing it.
    struct Fields {
        var position: UInt64
        var streamVersion: UInt64
        var recordedAt: Int64
        var stream: String
        var event: ProposedEvent
        var actor: Actor
        var source: Source
        var correlationId: UUID
        var causationId: UUID?
        var reason: String?
    }

    /// The canonical bytes (without the trailing hash).
    static func encode(_ f: Fields, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var flags: UInt8 = 0
        if f.causationId != nil { flags |= Flag.causation }
        if f.reason != nil { flags |= Flag.reason }
        if f.event.sealed != nil { flags |= Flag.sealed }
        if f.event.sealed?.keySlot != nil { flags |= Flag.keySlot }
        out.append(format)
        out.append(flags)
        out.append(1)
        out.append(0)
        appendInteger(f.event.schemaVersion, to: &out)
        appendInteger(UInt16(0), to: &out)
        appendInteger(f.position, to: &out)
        appendInteger(f.streamVersion, to: &out)
        appendInteger(f.recordedAt, to: &out)
        appendUUID(f.event.id, to: &out)
        appendUUID(f.correlationId, to: &out)
        appendUUID(f.causationId ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), to: &out)
        appendString(f.stream, to: &out)
        appendString(f.event.type, to: &out)
        appendString(f.actor.id, to: &out)
        appendString(f.actor.role, to: &out)
        appendString(f.source.clientAddress, to: &out)
        appendString(f.source.userAgent, to: &out)
        appendString(f.source.host, to: &out)
        appendString(f.reason ?? "", to: &out)
        appendString(f.event.sealed?.subject ?? "", to: &out)
        appendInteger(UInt32(f.event.data.count), to: &out)
        out.append(contentsOf: f.event.data)
        let sealed = f.event.sealed?.ciphertext ?? []
        let slot = f.event.sealed?.keySlot
        appendInteger(UInt32(sealed.count + (slot == nil ? 0 : 8)), to: &out)
        if let slot { appendInteger(slot, to: &out) }
        out.append(contentsOf: sealed)
    }

    /// Strings longer than a u16 length cannot be stored; the store rejects them before encoding.
    static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            appendInteger(UInt16(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    @inline(__always)
    static func appendInteger<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendUUID(_ uuid: UUID, to out: inout [UInt8]) {
        withUnsafeBytes(of: uuid.uuid) { out.append(contentsOf: $0) }
    }

    // MARK: Decoding

    /// A stored record that does not follow the layout.
    struct Malformed: Error, CustomStringConvertible {
        let reason: String
        var description: String { "malformed envelope: \(reason)" }
    }

    /// Reads a stored record field by field, checking every length against the buffer.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(Malformed) -> T {
            let size = MemoryLayout<T>.size
            guard offset + size <= bytes.count else { throw Malformed(reason: "truncated at byte \(offset)") }
            defer { offset += size }
            return T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }

        mutating func uuid() throws(Malformed) -> UUID {
            guard offset + 16 <= bytes.count else { throw Malformed(reason: "truncated uuid at byte \(offset)") }
            defer { offset += 16 }
            // Copying into a local tuple avoids the generic `loadUnaligned(as: uuid_t.self)`, which
            // looks up the 16-element tuple's metadata at run time on every call.
            var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &uuid) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 16])) }
            return UUID(uuid: uuid)
        }

        mutating func raw(_ count: Int) throws(Malformed) -> UnsafeRawBufferPointer {
            guard count >= 0, offset + count <= bytes.count else { throw Malformed(reason: "field of \(count) bytes overruns record at byte \(offset)") }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        }

        mutating func string() throws(Malformed) -> String {
            let count = Int(try integer(UInt16.self))
            let raw = try raw(count)
            // ASCII (every stream, type and actor id in practice) is valid UTF-8 as it stands; only
            // other text goes through `String(validating:)`, whose unspecialized generic validator
            // looks up type metadata on every call.
            if raw.allSatisfy({ $0 < 0x80 }) { return String(decoding: raw, as: UTF8.self) }
            guard let string = String(validating: raw, as: UTF8.self) else { throw Malformed(reason: "invalid UTF-8 at byte \(offset - count)") }
            return string
        }

        mutating func skipString() throws(Malformed) {
            let count = Int(try integer(UInt16.self))
            _ = try raw(count)
        }
    }

    struct Fixed {
        var flags: UInt8
        var schemaVersion: UInt16
        var position: UInt64
        var streamVersion: UInt64
        var recordedAt: Int64
        var id: UUID
        var correlationId: UUID
        var causationId: UUID
    }

    /// `r` reads the record without its hash (`withoutHash`), so only the fixed header must fit.
    static func readFixed(_ r: inout Reader) throws(Malformed) -> Fixed {
        guard r.bytes.count >= fixedCount else { throw Malformed(reason: "record of \(r.bytes.count) bytes is shorter than the fixed header") }
        let version = try r.integer(UInt8.self)
        guard version == format else { throw Malformed(reason: "unknown format \(version)") }
        let flags = try r.integer(UInt8.self)
        let encoding = try r.integer(UInt8.self)
        guard encoding == 1 else { throw Malformed(reason: "unknown data encoding \(encoding)") }
        _ = try r.integer(UInt8.self)
        let schema = try r.integer(UInt16.self)
        _ = try r.integer(UInt16.self)
        return Fixed(
            flags: flags, schemaVersion: schema,
            position: try r.integer(UInt64.self), streamVersion: try r.integer(UInt64.self),
            recordedAt: try r.integer(Int64.self),
            id: try r.uuid(), correlationId: try r.uuid(), causationId: try r.uuid())
    }

    /// Position only: the cheapest read, used by verification and binary search.
    static func position(of bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count >= fixedCount + hashCount, bytes[0] == format else { return nil }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Recorded time only, for binary search over the log.
    static func recordedAt(of bytes: UnsafeRawBufferPointer) -> Int64? {
        guard bytes.count >= fixedCount + hashCount, bytes[0] == format else { return nil }
        return Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24, as: Int64.self))
    }

    /// The stored hash (the record's last 32 bytes).
    static func storedHash(of bytes: UnsafeRawBufferPointer) -> SHA256Digest? {
        guard bytes.count >= fixedCount + hashCount else { return nil }
        return SHA256Digest(bytes: bytes[(bytes.count - hashCount)...])
    }

    /// The record without its trailing hash. A record too short to hold the fixed header and the
    /// hash is malformed: slicing off a hash it does not have would trap.
    static func withoutHash(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> UnsafeRawBufferPointer {
        guard bytes.count >= fixedCount + hashCount else { throw Malformed(reason: "record of \(bytes.count) bytes is shorter than the fixed header and hash") }
        return UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - hashCount)])
    }

    /// The header, without copying the data.
    static func decodeHeader(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> EventHeader {
        var r = Reader(try withoutHash(bytes))
        let fixed = try readFixed(&r)
        let stream = try r.string()
        let type = try r.string()
        let actorId = try r.string()
        let actorRole = try r.string()
        for _ in 0..<5 { try r.skipString() }
        let dataCount = Int(try r.integer(UInt32.self))
        return EventHeader(
            position: fixed.position, id: fixed.id, type: type, schemaVersion: fixed.schemaVersion,
            stream: stream, streamVersion: fixed.streamVersion, recordedAt: fixed.recordedAt,
            actor: Actor(id: actorId, role: actorRole), dataCount: dataCount)
    }

    /// The event type only (for filtered reads), without building any other string.
    static func typeMatches(_ bytes: UnsafeRawBufferPointer, _ types: Set<String>) throws(Malformed) -> Bool {
        var r = Reader(bytes)
        r.offset = fixedCount
        try r.skipString()
        return types.contains(try r.string())
    }

    /// The whole envelope.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> RecordedEvent {
        var r = Reader(try withoutHash(bytes))
        let fixed = try readFixed(&r)
        let stream = try r.string()
        let type = try r.string()
        let actor = Actor(id: try r.string(), role: try r.string())
        let source = Source(clientAddress: try r.string(), userAgent: try r.string(), host: try r.string())
        let reason = try r.string()
        let subject = try r.string()
        let data = Array(try r.raw(Int(try r.integer(UInt32.self))))
        let sealed = Array(try r.raw(Int(try r.integer(UInt32.self))))
        guard r.offset == r.bytes.count else { throw Malformed(reason: "\(r.bytes.count - r.offset) trailing bytes") }
        let hasSealed = fixed.flags & Flag.sealed != 0
        var keySlot: UInt64?
        var ciphertext = sealed[...]
        if hasSealed, fixed.flags & Flag.keySlot != 0 {
            guard sealed.count >= 8 else { throw Malformed(reason: "a sealed section of \(sealed.count) bytes has no key slot") }
            keySlot = sealed.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
            ciphertext = sealed.dropFirst(8)
        }
        return RecordedEvent(
            position: fixed.position, id: fixed.id, type: type, schemaVersion: fixed.schemaVersion,
            stream: stream, streamVersion: fixed.streamVersion, recordedAt: fixed.recordedAt,
            actor: actor, source: source, correlationId: fixed.correlationId,
            causationId: fixed.flags & Flag.causation != 0 ? fixed.causationId : nil,
            reason: fixed.flags & Flag.reason != 0 ? reason : nil,
            data: data,
            sealed: hasSealed ? SealedData(subject: subject, ciphertext: Array(ciphertext), keySlot: keySlot) : nil,
            hash: storedHash(of: bytes)!)
    }
}
