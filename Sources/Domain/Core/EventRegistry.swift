import EventStore
import Foundation

/// Maps stored type names to payload types, upcasts older schema versions, and encodes payloads as
/// the JSON bytes the log stores (keys sorted, dates ISO-8601 with milliseconds, so equal events
/// give equal bytes and an idempotent retry is recognised).
public struct EventRegistry: Sendable {
    /// Lifts the JSON of `eventType` from `fromVersion` to `fromVersion + 1`.
    public struct Upcaster: Sendable {
        public let eventType: String
        public let fromVersion: UInt16
        public let transform: @Sendable ([String: any Sendable]) throws -> [String: any Sendable]

        public init(eventType: String, fromVersion: UInt16, transform: @escaping @Sendable ([String: any Sendable]) throws -> [String: any Sendable]) {
            self.eventType = eventType
            self.fromVersion = fromVersion
            self.transform = transform
        }
    }

    /// A stored event this registry cannot read.
    public enum DecodingFailure: Error, Equatable, CustomStringConvertible {
        case unknownType(String)
        case newerVersion(type: String, stored: UInt16, known: UInt16)
        case missingUpcaster(type: String, from: UInt16)
        case malformed(type: String, reason: String)

        public var description: String {
            switch self {
            case .unknownType(let type): "unknown event type \(type)"
            case .newerVersion(let type, let stored, let known): "\(type) v\(stored) is newer than this build's v\(known)"
            case .missingUpcaster(let type, let from): "no upcaster for \(type) from v\(from)"
            case .malformed(let type, let reason): "\(type) data is malformed: \(reason)"
            }
        }
    }

    private let types: [String: any DomainEvent.Type]
    private let upcasters: [String: [UInt16: Upcaster]]
    /// Seals personal data on encode and opens it on decode; nil keeps personal data in the public
    /// data (encryption off: tests that do not care, and the benchmark's peer).
    public private(set) var protection: PersonalDataProtection?

    public init(types: [any DomainEvent.Type], upcasters: [Upcaster] = []) {
        var byName: [String: any DomainEvent.Type] = [:]
        for type in types {
            precondition(byName[type.eventType] == nil, "event type \(type.eventType) registered twice")
            byName[type.eventType] = type
        }
        self.types = byName
        var casters: [String: [UInt16: Upcaster]] = [:]
        for caster in upcasters { casters[caster.eventType, default: [:]][caster.fromVersion] = caster }
        self.upcasters = casters
    }

    /// This registry, sealing personal data under the keys of `keyRing`.
    public func protecting(with keyRing: SubjectKeyRing) -> EventRegistry {
        var copy = self
        copy.protection = PersonalDataProtection(keyRing: keyRing)
        return copy
    }

    /// Whether `type` is a domain event this registry knows.
    public func knows(_ type: String) -> Bool { types[type] != nil }

    /// Every registered type name, sorted.
    public var typeNames: [String] { types.keys.sorted() }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    /// Writes event data as `encoder` does, byte for byte, without `JSONEncoder`'s cost
    /// (`SortedJSONEncoder`); it hands to `encoder` what it does not write itself.
    public static let sortedEncoder = SortedJSONEncoder(dateFormat: { Timestamp.format($0) }, fallback: { EventRegistry.encoder })

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO-8601 time")
            }
            return date
        }
        return decoder
    }()

    /// The proposed log event for a payload, with a caller-chosen id (deterministic ids make
    /// imports idempotent).
    ///
    /// With `protection`, the personal members are sealed under their subject's key; a subject that
    /// was erased refuses new personal data (`KeyRingError.subjectErased`).
    public func encode(_ event: any DomainEvent, id: UUID = .timeOrdered(), sealing: Bool = true) throws -> ProposedEvent {
        let data = try Self.sortedEncoder.encode(event)
        guard let protection, sealing else {
            return ProposedEvent(id: id, type: event.eventType, schemaVersion: type(of: event).schemaVersion, data: data)
        }
        let (publicData, sealed) = try protection.seal(type: event.eventType, data: data, eventId: id)
        return ProposedEvent(id: id, type: event.eventType, schemaVersion: type(of: event).schemaVersion,
                             data: publicData, sealed: sealed)
    }

    /// Seals events encoded with `sealing: false`, creating the keys they need in one durable write.
    public func seal(_ events: [ProposedEvent]) throws -> [ProposedEvent] {
        guard let protection else { return events }
        return try protection.sealAll(events)
    }

    /// Seals events encoded with `sealing: false`; new keys are written together with those of
    /// other commands waiting at the same moment, so concurrent registrations share syncs.
    public func seal(_ events: [ProposedEvent]) async throws -> [ProposedEvent] {
        guard let protection else { return events }
        return try await protection.sealAll(events)
    }

    /// The proposed log events of one decision, sealed (see `seal`); `ids[i]`, where given, is the
    /// id of the i-th event.
    public func encode(_ events: [any DomainEvent], ids: [UUID]?) async throws -> [ProposedEvent] {
        let proposed = try events.enumerated().map { index, event in
            try encode(event, id: ids.flatMap { index < $0.count ? $0[index] : nil } ?? .timeOrdered(), sealing: false)
        }
        return try await seal(proposed)
    }

    /// The payload of a stored event, upcast to the current schema version, with its personal data
    /// opened (or the erasure marker where the subject's key is gone).
    public func decode(_ recorded: RecordedEvent) throws(DecodingFailure) -> any DomainEvent {
        try decode(type: recorded.type, version: recorded.schemaVersion, data: readableData(of: recorded))
    }

    /// The JSON data of a stored event with personal values opened where the key allows.
    public func readableData(of recorded: RecordedEvent) -> [UInt8] {
        guard let sealed = recorded.sealed else { return recorded.data }
        return PersonalDataProtection.open(type: recorded.type, data: recorded.data, sealed: sealed,
                                           eventId: recorded.id, keyRing: protection?.keyRing)
    }

    public func decode(type name: String, version: UInt16, data: [UInt8]) throws(DecodingFailure) -> any DomainEvent {
        guard let type = types[name] else { throw .unknownType(name) }
        if version == type.schemaVersion {
            do { return try PayloadDecoder.decode(type, from: data) } catch {
                throw .malformed(type: name, reason: "\(error)")
            }
        }
        var bytes = Data(data)
        if version != type.schemaVersion {
            guard version < type.schemaVersion else { throw .newerVersion(type: name, stored: version, known: type.schemaVersion) }
            do {
                guard var object = try JSONSerialization.jsonObject(with: bytes) as? [String: any Sendable] else {
                    throw DecodingFailure.malformed(type: name, reason: "not a JSON object")
                }
                for from in version..<type.schemaVersion {
                    guard let caster = upcasters[name]?[from] else { throw DecodingFailure.missingUpcaster(type: name, from: from) }
                    object = try caster.transform(object)
                }
                bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            } catch let failure as DecodingFailure {
                throw failure
            } catch {
                throw .malformed(type: name, reason: "\(error)")
            }
        }
        do { return try PayloadDecoder.decode(type, from: bytes) } catch {
            throw .malformed(type: name, reason: "\(error)")
        }
    }
}

/// ISO-8601 UTC timestamps with milliseconds, the one textual time format of the domain.
///
/// Hand-written because it sits on the hot path of every event encoded and every command imported,
/// and because it must round to the millisecond exactly (a `Date` holds a binary fraction, so
/// `…05.678` must not come back as `…05.677`).
public enum Timestamp {
    /// `2026-01-02T03:04:05.678Z`.
    public static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        return format(milliseconds: ms)
    }

    /// Formats milliseconds since the epoch.
    public static func format(milliseconds ms: Int64) -> String {
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let msOfDay = ms - days * 86_400_000
        let (year, month, day) = civil(fromDays: days)
        let seconds = msOfDay / 1000
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var v = value
            for _ in 0..<count {
                out.append(UInt8(48 + (v / divisor) % 10))
                v %= divisor
                divisor /= 10
                if divisor == 0 { divisor = 1 }
            }
        }
        digits(year, 4); out.append(45); digits(month, 2); out.append(45); digits(day, 2); out.append(84)
        digits(seconds / 3600, 2); out.append(58); digits(seconds / 60 % 60, 2); out.append(58); digits(seconds % 60, 2)
        out.append(46); digits(msOfDay % 1000, 3); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z`, or any ISO-8601 form Foundation reads (offsets).
    public static func parse(_ text: String) -> Date? {
        if let ms = parseMilliseconds(text) { return Date(timeIntervalSince1970: Double(ms) / 1000) }
        return try? Date(text, strategy: .iso8601)
    }

    /// Milliseconds since the epoch of a UTC timestamp in the fast form, or nil.
    public static func parseMilliseconds(_ text: String) -> Int64? {
        let u = Array(text.utf8)
        guard u.count >= 20, u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 32, u[13] == 58, u[16] == 58, u.last == 90 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for i in range {
                guard (48...57).contains(u[i]) else { return nil }
                value = value * 10 + Int64(u[i] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var millis: Int64 = 0
        if u.count > 20 {
            // Only the first three digits count (the rest are truncated), so only they are
            // accumulated: a long fraction would overflow Int64 (found by the libFuzzer drill).
            let digits = u.count - 21
            guard u[19] == 46, digits >= 1, u[20..<(u.count - 1)].allSatisfy({ (48...57).contains($0) }),
                  var scaled = number(20..<(20 + min(digits, 3))) else { return nil }
            for _ in min(digits, 3)..<3 { scaled *= 10 }
            millis = scaled
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
