import Domain
import EventStore
import Foundation
import Testing

/// Version 2 renamed `name` to `fullName`; stored version-1 events must still read.
struct RenamedThing: DomainEvent {
    static let eventType = "TestRenamedThing"
    static let schemaVersion: UInt16 = 2
    var fullName: String
    var occurredAt: Date
}

@Suite("Event registry")
struct EventRegistryTests {
    let registry = EventRegistry(types: [RenamedThing.self], upcasters: [
        .init(eventType: "TestRenamedThing", fromVersion: 1) { object in
            var object = object
            object["fullName"] = object.removeValue(forKey: "name")
            return object
        },
    ])

    @Test("an older schema version is upcast to the current one")
    func upcast() throws {
        let v1 = Array(#"{"name":"Ada","occurredAt":"2026-01-02T03:04:05.678Z"}"#.utf8)
        let event = try registry.decode(type: "TestRenamedThing", version: 1, data: v1)
        let thing = try #require(event as? RenamedThing)
        #expect(thing.fullName == "Ada")
        #expect(Timestamp.format(thing.occurredAt) == "2026-01-02T03:04:05.678Z")
    }

    @Test("encoding is deterministic and round-trips at the current version")
    func roundTrip() throws {
        let thing = RenamedThing(fullName: "Grace", occurredAt: Date(timeIntervalSince1970: 1_700_000_000.25))
        let proposed = try registry.encode(thing, id: UUID())
        #expect(proposed.schemaVersion == 2)
        #expect(proposed.data == (try registry.encode(thing, id: UUID())).data)
        let decoded = try registry.decode(type: proposed.type, version: proposed.schemaVersion, data: proposed.data)
        #expect(eventsEqual(decoded, thing))
    }

    @Test("unknown types, newer versions and malformed data are typed failures")
    func failures() {
        #expect(throws: EventRegistry.DecodingFailure.unknownType("Nope")) { try registry.decode(type: "Nope", version: 1, data: []) }
        #expect(throws: EventRegistry.DecodingFailure.newerVersion(type: "TestRenamedThing", stored: 3, known: 2)) {
            try registry.decode(type: "TestRenamedThing", version: 3, data: Array("{}".utf8))
        }
        #expect(throws: EventRegistry.DecodingFailure.self) { try registry.decode(type: "TestRenamedThing", version: 2, data: Array("[1]".utf8)) }
        let bare = EventRegistry(types: [RenamedThing.self])
        #expect(throws: EventRegistry.DecodingFailure.missingUpcaster(type: "TestRenamedThing", from: 1)) {
            try bare.decode(type: "TestRenamedThing", version: 1, data: Array(#"{"name":"x"}"#.utf8))
        }
    }

    @Test("the domain registry knows every customer event")
    func domainRegistry() {
        for type in Customer.eventTypes { #expect(EventRegistry.domain.knows(type.eventType)) }
    }
}

@Suite("Timestamps")
struct TimestampTests {
    @Test("format and parse round-trip to the millisecond across centuries and leap days", arguments: [
        "1970-01-01T00:00:00.000Z", "2000-02-29T23:59:59.999Z", "2026-01-02T03:04:05.678Z", "2100-12-31T12:00:00.001Z", "1999-12-31T23:59:59.500Z",
    ])
    func roundTrip(text: String) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(Timestamp.format(date) == text)
    }

    @Test("agrees with Foundation's ISO-8601 parser, and accepts offsets and missing fractions")
    func agreesWithFoundation() throws {
        #expect(Timestamp.parse("2026-03-04T05:06:07Z") == (try Date("2026-03-04T05:06:07Z", strategy: .iso8601)))
        #expect(Timestamp.parse("2026-03-04T07:06:07+02:00") == (try Date("2026-03-04T05:06:07Z", strategy: .iso8601)))
        #expect(Timestamp.parse("2026-03-04T05:06:07.5Z").map(Timestamp.format) == "2026-03-04T05:06:07.500Z")
        #expect(Timestamp.parse("2026-13-04T05:06:07Z") == nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }
}
