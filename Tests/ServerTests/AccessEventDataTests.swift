import EventStore
@testable import Server
import Testing

/// `AccessEventData`: equal access events share their encoded data, never their identity.
@Suite("Access event data")
struct AccessEventDataTests {
    @Test func equalAccessEventsShareTheirEncodedData() throws {
        let memo = AccessEventData(capacity: 2)
        let access = DataAccessed(route: "GET /v1/customers/{id}", subject: "customer:c1", subjects: ["customer:c1"], fields: ["name"])
        let first = try memo.event(for: access)
        let second = try memo.event(for: access)
        let fresh = try ProposedEvent(type: DataAccessed.eventType, schemaVersion: DataAccessed.schemaVersion, encoding: access)
        #expect(first.data == fresh.data && second.data == fresh.data)
        #expect(first.id != second.id, "one event per request")
        #expect(second.type == DataAccessed.eventType && second.schemaVersion == DataAccessed.schemaVersion)
        var other = access
        other.purpose = "review"
        #expect(try memo.event(for: other).data != fresh.data)
        _ = try memo.event(for: DataAccessed(route: "GET /v1/customers"))
        #expect(memo.count <= 2)
    }
}
