import Foundation

@testable import EventStore

/// libFuzzer's entry point for the envelope decoder: the input is the bytes of one stored record
/// (the value of the log's `events` database, hash included), as a torn write, a bad disk or an
/// attacker with raw LMDB access could leave them.
///
/// Every reader of a stored record must throw or answer nil, never trap: `decode` (reads),
/// `decodeHeader` (scans, verification), `typeMatches` (filtered reads), `position`, `recordedAt`
/// (binary search by time) and `storedHash` (the chain). When a record decodes, the readers must
/// agree with each other, the record must survive a round trip through the encoder, and its JSON
/// form (`crm log`, the HTTP API) must be valid JSON. A broken property stops the fuzzer with
/// `fatalError`, which libFuzzer reports as a crash and saves the input of.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let position = EnvelopeCodec.position(of: bytes)
    let recordedAt = EnvelopeCodec.recordedAt(of: bytes)
    let storedHash = EnvelopeCodec.storedHash(of: bytes)
    let header = try? EnvelopeCodec.decodeHeader(bytes)
    _ = try? EnvelopeCodec.typeMatches(bytes, ["CustomerRegistered"])
    guard let event = try? EnvelopeCodec.decode(bytes) else { return 0 }

    guard let header else { fatalError("decode accepts a record that decodeHeader refuses") }
    check(header.position == event.position && header.id == event.id && header.type == event.type
          && header.schemaVersion == event.schemaVersion && header.stream == event.stream
          && header.streamVersion == event.streamVersion && header.recordedAt == event.recordedAt
          && header.actor == event.actor && header.dataCount == event.data.count,
          "decodeHeader disagrees with decode")
    check(position == event.position, "position(of:) disagrees with decode")
    check(recordedAt == event.recordedAt, "recordedAt(of:) disagrees with decode")
    check(storedHash == event.hash, "storedHash(of:) disagrees with decode")
    check((try? EnvelopeCodec.typeMatches(bytes, [event.type])) == true, "typeMatches misses the record's own type")

    // Encoding what was decoded gives a record that decodes to the same event: the canonical form
    // is a fixed point (reserved bytes and unflagged optional fields are the only things dropped).
    var canonical: [UInt8] = []
    EnvelopeCodec.encode(
        EnvelopeCodec.Fields(
            position: event.position, streamVersion: event.streamVersion, recordedAt: event.recordedAt,
            stream: event.stream,
            event: ProposedEvent(id: event.id, type: event.type, schemaVersion: event.schemaVersion, data: event.data,
                                 sealed: event.sealed),
            actor: event.actor, source: event.source, correlationId: event.correlationId,
            causationId: event.causationId, reason: event.reason),
        into: &canonical)
    canonical += event.hash.bytes
    let again = canonical.withUnsafeBytes { try? EnvelopeCodec.decode($0) }
    check(again == event, "the re-encoded record does not decode to the same event")

    // The one JSON form of an envelope must parse, whatever bytes the data holds.
    let json = event.json
    guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
        fatalError("RecordedEvent.json is not a JSON object: \(String(decoding: json, as: UTF8.self))")
    }
    check((object["position"] as? NSNumber)?.uint64Value == event.position, "RecordedEvent.json has the wrong position")
    return 0
}

/// Stops the fuzzer on a broken property.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
