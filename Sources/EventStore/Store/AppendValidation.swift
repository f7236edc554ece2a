import Foundation
/// Limits every append must respect before the writer touches the log.
///
/// LMDB keys are at most 511 bytes, and the stream and actor ids are keys; envelope strings carry a
/// u16 length. Checking here turns what would be an LMDB error mid-transaction into a clear refusal.
enum AppendValidation {
    static let maxStreamBytes = 400
    static let maxActorBytes = 400
    static let maxTypeBytes = 200
    static let maxStringBytes = Int(UInt16.max)
    static let maxDataBytes = 16 * 1024 * 1024

    static func problem(in batch: [StreamAppend], metadata: AppendMetadata) -> String? {
        guard !batch.isEmpty else { return "no streams in the append" }
        if let problem = problem(in: metadata) { return problem }
        for append in batch {
            if let override = append.metadata, let problem = problem(in: override) { return problem }
        }
        return problem(inStreams: batch)
    }

    private static func problem(in metadata: AppendMetadata) -> String? {
        if metadata.actor.id.utf8.isEmpty { return "actor id is empty" }
        if metadata.actor.id.utf8.count > maxActorBytes { return "actor id is longer than \(maxActorBytes) bytes" }
        for (name, value) in [("actor role", metadata.actor.role), ("client address", metadata.source.clientAddress),
                              ("user agent", metadata.source.userAgent), ("host", metadata.source.host),
                              ("reason", metadata.reason ?? "")] where value.utf8.count > maxStringBytes {
            return "\(name) is longer than \(maxStringBytes) bytes"
        }
        return nil
    }

    private static func problem(inStreams batch: [StreamAppend]) -> String? {
        var ids = Set<UUID>()
        ids.reserveCapacity(batch.reduce(0) { $0 + $1.events.count })
        for append in batch {
            if append.stream.utf8.isEmpty { return "stream id is empty" }
            if append.stream.utf8.contains(0) { return "stream id contains a NUL character" }
            if append.stream.utf8.count > maxStreamBytes { return "stream id '\(append.stream.prefix(40))…' is longer than \(maxStreamBytes) bytes" }
            if append.events.isEmpty { return "no events for stream '\(append.stream)'" }
            for event in append.events {
                if event.type.utf8.isEmpty { return "event \(event.id) has an empty type" }
                if event.type.utf8.count > maxTypeBytes { return "event type of \(event.id) is longer than \(maxTypeBytes) bytes" }
                if event.data.count > maxDataBytes { return "event \(event.id) data is larger than \(maxDataBytes) bytes" }
                if let sealed = event.sealed, sealed.subject.utf8.count > maxStringBytes || sealed.ciphertext.count > maxDataBytes {
                    return "event \(event.id) sealed data is too large"
                }
                if !ids.insert(event.id).inserted { return "event id \(event.id) appears twice in one append" }
            }
        }
        return nil
    }
}
