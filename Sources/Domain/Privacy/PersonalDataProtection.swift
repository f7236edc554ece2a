import EventStore
import Foundation

/// Seals the personal members of an event's JSON under its subject's data key, and opens them
/// again (or shows the erasure marker when the key is gone).
///
/// The public data keeps every personal string's place with `placeholder`, so the event still
/// decodes without the key; the sealed plaintext maps each concrete path (`changes/0/old`) to its
/// value. The event id is the associated data, so a ciphertext cannot be moved to another event.
public struct PersonalDataProtection: Sendable {
    /// Stands for a sealed value in the public data.
    public static let placeholder = "(sealed)"
    /// What every personal value reads as once its subject is erased (or its key is unavailable).
    public static let erasedMarker = "erased"

    /// The data keys; nil means encryption is off (personal data stays in the public data).
    public let keyRing: SubjectKeyRing

    public init(keyRing: SubjectKeyRing) {
        self.keyRing = keyRing
    }

    /// The public data and the sealed part of one event's JSON.
    public func seal(type: String, data: [UInt8], eventId: UUID) throws -> (data: [UInt8], sealed: SealedData?) {
        guard let declaration = PersonalDataCatalog.declarations[type],
              let (subject, owner) = try Self.subjectAndOwner(of: declaration, in: data) else {
            return (data, nil)
        }
        var links: [String: String] = [:]
        if let owner { links[subject] = owner }
        var values: [String: ArraySlice<UInt8>] = [:]
        let publicData = try Self.rewriters[type]!.rewrite(data) { path, token in
            values[path] = token
            return Self.placeholderToken
        }
        let keys = try keyRing.sealingKeys(for: values.isEmpty ? [] : [subject], links: links)
        guard !values.isEmpty, let key = keys[subject] else { return (data, nil) }
        let ciphertext = key.seal(JSONPathRewriter.object(values), eventId: eventId.bytes)
        return (publicData, SealedData(subject: subject, ciphertext: ciphertext, keySlot: key.slot))
    }

    /// Seals many events with one durable write for all the keys and links they need (an import
    /// batch), instead of one per new subject.
    public func sealAll(_ events: [ProposedEvent]) throws -> [ProposedEvent] {
        let (subjects, links) = try Self.keyDemand(of: events)
        if !subjects.isEmpty || !links.isEmpty { _ = try keyRing.sealingKeys(for: subjects, links: links) }
        return try sealEach(events)
    }

    /// `sealAll` for a command under concurrent load: the new keys are written together with those
    /// of other commands waiting at the same moment (`SubjectKeyRing.reserveKeys`).
    public func sealAll(_ events: [ProposedEvent]) async throws -> [ProposedEvent] {
        let (subjects, links) = try Self.keyDemand(of: events)
        if !subjects.isEmpty || !links.isEmpty { try await keyRing.reserveKeys(for: subjects, links: links) }
        return try sealEach(events)
    }

    private func sealEach(_ events: [ProposedEvent]) throws -> [ProposedEvent] {
        try events.map { event in
            guard event.sealed == nil else { return event }
            var sealed = event
            (sealed.data, sealed.sealed) = try seal(type: event.type, data: event.data, eventId: event.id)
            return sealed
        }
    }

    /// The subjects whose keys `events` need and the links they record.
    private static func keyDemand(of events: [ProposedEvent]) throws -> (subjects: Set<String>, links: [String: String]) {
        var subjects: Set<String> = []
        var links: [String: String] = [:]
        for event in events where event.sealed == nil {
            guard let declaration = PersonalDataCatalog.declarations[event.type],
                  let (subject, owner) = try subjectAndOwner(of: declaration, in: event.data) else { continue }
            if !declaration.personal.isEmpty { subjects.insert(subject) }
            if let owner { links[subject] = owner }
        }
        return (subjects, links)
    }

    /// The event's JSON with its personal values back in place, or the erasure marker in their
    /// place when the subject's key is gone (erased) or the ciphertext does not open.
    public static func open(type: String, data: [UInt8], sealed: SealedData, eventId: UUID, keyRing: SubjectKeyRing?) -> [UInt8] {
        guard let rewriter = rewriters[type] else { return data }
        var values: [String: ArraySlice<UInt8>] = [:]
        if let keyRing, let key = try? keyRing.key(opening: sealed),
           let plaintext = try? key.open(sealed.ciphertext, eventId: eventId.bytes) {
            _ = try? plaintextReader.rewrite(plaintext) { path, token in
                values[path] = token
                return nil
            }
        }
        return (try? rewriter.rewrite(data) { path, _ in values[path].map(Array.init) ?? erasedToken }) ?? data
    }

    /// The event's JSON with each personal value replaced by `pseudonym` (the same for every value
    /// of one subject), for sharing with people who must not see identities.
    public static func pseudonymise(type: String, data: [UInt8], pseudonym: String) -> [UInt8] {
        guard let rewriter = rewriters[type], !rewriter.paths.isEmpty else { return data }
        let token = JSONPathRewriter.token(pseudonym)
        return (try? rewriter.rewrite(data) { _, _ in token }) ?? data
    }

    /// The subject whose data an event of `type` carries, read from its public JSON.
    public static func subject(type: String, data: [UInt8]) -> String? {
        guard let declaration = PersonalDataCatalog.declarations[type] else { return nil }
        return (try? subjectAndOwner(of: declaration, in: data))??.subject
    }

    // MARK: - The walkers

    /// One rewriter per event type, over its personal paths.
    static let rewriters: [String: JSONPathRewriter] = PersonalDataCatalog.declarations.mapValues { JSONPathRewriter(paths: $0.personal) }
    /// Reads the sealed plaintext: every member of one flat object.
    static let plaintextReader = JSONPathRewriter(paths: ["*"])
    static let placeholderToken = JSONPathRewriter.token(placeholder)
    static let erasedToken = JSONPathRewriter.token(erasedMarker)

    /// The subject (`kind:id`) and owner an event's JSON names; nil when it names no subject.
    /// Throws when the data is not JSON (such an event cannot be sealed).
    static func subjectAndOwner(of declaration: PersonalFields, in data: [UInt8]) throws -> (subject: String, owner: String?)? {
        guard let reference = declaration.subject else { return nil }
        let names = [reference.field] + (declaration.owner.map { [$0.field] } ?? [])
        guard let found = JSONPathRewriter.topLevelStrings(in: data, named: names) else {
            throw JSONPathRewriter.Malformed(offset: 0)
        }
        guard let id = found[reference.field] else { return nil }
        return (reference.kind + ":" + id, declaration.owner.flatMap { owner in found[owner.field].map { owner.kind + ":" + $0 } })
    }
}

extension UUID {
    /// The 16 bytes, as associated data.
    var bytes: [UInt8] { withUnsafeBytes(of: uuid) { Array($0) } }
}
