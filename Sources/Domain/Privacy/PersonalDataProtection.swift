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
        guard let declaration = PersonalDataCatalog.declarations[type], let subjectReference = declaration.subject else {
            return (data, nil)
        }
        guard var object = try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
              let subject = subjectReference.subject(in: object) else { return (data, nil) }
        var links: [String: String] = [:]
        if let owner = declaration.owner?.subject(in: object) { links[subject] = owner }
        var values: [String: String] = [:]
        for path in declaration.personal {
            Self.visit(&object, path: PathStep.parse(path), concrete: "") { value, concrete in
                values[concrete] = value
                return Self.placeholder
            }
        }
        let keys = try keyRing.sealingKeys(for: values.isEmpty ? [] : [subject], links: links)
        guard !values.isEmpty, let key = keys[subject] else { return (data, nil) }
        let plaintext = try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys, .withoutEscapingSlashes])
        let ciphertext = key.seal(Array(plaintext), eventId: eventId.bytes)
        let publicData = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return (Array(publicData), SealedData(subject: subject, ciphertext: ciphertext))
    }

    /// Seals many events with one durable write for all the keys and links they need (an import
    /// batch), instead of one per new subject.
    public func sealAll(_ events: [ProposedEvent]) throws -> [ProposedEvent] {
        var subjects: Set<String> = []
        var links: [String: String] = [:]
        for event in events where event.sealed == nil {
            guard let declaration = PersonalDataCatalog.declarations[event.type], let reference = declaration.subject,
                  let object = try JSONSerialization.jsonObject(with: Data(event.data)) as? [String: Any],
                  let subject = reference.subject(in: object) else { continue }
            if !declaration.personal.isEmpty { subjects.insert(subject) }
            if let owner = declaration.owner?.subject(in: object) { links[subject] = owner }
        }
        if !subjects.isEmpty || !links.isEmpty { _ = try keyRing.sealingKeys(for: subjects, links: links) }
        return try events.map { event in
            guard event.sealed == nil else { return event }
            var sealed = event
            (sealed.data, sealed.sealed) = try seal(type: event.type, data: event.data, eventId: event.id)
            return sealed
        }
    }

    /// The event's JSON with its personal values back in place, or the erasure marker in their
    /// place when the subject's key is gone (erased) or the ciphertext does not open.
    public static func open(type: String, data: [UInt8], sealed: SealedData, eventId: UUID, keyRing: SubjectKeyRing?) -> [UInt8] {
        guard let declaration = PersonalDataCatalog.declarations[type],
              var object = (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any] else { return data }
        var values: [String: String]?
        if let keyRing, let key = try? keyRing.key(for: sealed.subject),
           let plaintext = try? key.open(sealed.ciphertext, eventId: eventId.bytes) {
            values = (try? JSONSerialization.jsonObject(with: Data(plaintext))) as? [String: String]
        }
        for path in declaration.personal {
            visit(&object, path: PathStep.parse(path), concrete: "") { _, concrete in
                values?[concrete] ?? erasedMarker
            }
        }
        guard let out = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return data
        }
        return Array(out)
    }

    /// The event's JSON with each personal value replaced by `pseudonym` (the same for every value
    /// of one subject), for sharing with people who must not see identities.
    public static func pseudonymise(type: String, data: [UInt8], pseudonym: String) -> [UInt8] {
        guard let declaration = PersonalDataCatalog.declarations[type], !declaration.personal.isEmpty,
              var object = (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any] else { return data }
        for path in declaration.personal {
            visit(&object, path: PathStep.parse(path), concrete: "") { _, _ in pseudonym }
        }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])).map(Array.init) ?? data
    }

    /// The subject whose data an event of `type` carries, read from its public JSON.
    public static func subject(type: String, data: [UInt8]) -> String? {
        guard let reference = PersonalDataCatalog.declarations[type]?.subject,
              let object = (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any] else { return nil }
        return reference.subject(in: object)
    }

    // MARK: - Paths

    enum PathStep: Equatable {
        case member(String)
        case everyElement
        case everyValue

        static func parse(_ path: String) -> [PathStep] {
            var steps: [PathStep] = []
            for part in path.split(separator: ".") {
                if part == "*" { steps.append(.everyValue); continue }
                if part.hasSuffix("[]") {
                    let name = part.dropLast(2)
                    if !name.isEmpty { steps.append(.member(String(name))) }
                    steps.append(.everyElement)
                } else {
                    steps.append(.member(String(part)))
                }
            }
            return steps
        }
    }

    /// Calls `transform` on every string at `path` below `value` and stores what it returns.
    static func visit(_ value: inout [String: Any], path: [PathStep], concrete: String,
                      _ transform: (String, String) -> String) {
        var boxed: Any = value
        visitAny(&boxed, path: path[...], concrete: concrete, transform)
        value = boxed as? [String: Any] ?? value
    }

    private static func visitAny(_ value: inout Any, path: ArraySlice<PathStep>, concrete: String,
                                 _ transform: (String, String) -> String) {
        guard let step = path.first else {
            if let text = value as? String { value = transform(text, concrete) }
            return
        }
        let rest = path.dropFirst()
        func join(_ name: String) -> String { concrete.isEmpty ? name : concrete + "/" + name }
        switch step {
        case .member(let name):
            guard var object = value as? [String: Any], var member = object[name] else { return }
            visitAny(&member, path: rest, concrete: join(name), transform)
            object[name] = member
            value = object
        case .everyElement:
            guard var array = value as? [Any] else { return }
            for index in array.indices { visitAny(&array[index], path: rest, concrete: join(String(index)), transform) }
            value = array
        case .everyValue:
            guard var object = value as? [String: Any] else { return }
            for key in object.keys.sorted() {
                var member = object[key]!
                visitAny(&member, path: rest, concrete: join(key), transform)
                object[key] = member
            }
            value = object
        }
    }
}

extension UUID {
    /// The 16 bytes, as associated data.
    var bytes: [UInt8] { withUnsafeBytes(of: uuid) { Array($0) } }
}
