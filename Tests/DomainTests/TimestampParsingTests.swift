import Domain
import EventStore
import Foundation
import Testing

/// `Timestamp.parse` on fractions of any length. Found by the libFuzzer drill
/// (`Fuzz/Sources/FuzzCommands`): a fraction of 19 or more digits overflowed `Int64` and trapped,
/// in the API's body check, in every command and event decode, and so in the server process.
@Suite("Timestamp parsing of long fractions")
struct TimestampParsingTests {
    /// The fuzzer's input: stored data of an `OrderCancelled` event.
    static let crashingEventData = #"{"occurredAt":"2024-04-15T21:45:34.211111111111111111111106Z","orderId":"SO-000049","reason":"item out of stock"}"#

    @Test("a long fraction is truncated to milliseconds like a short one", arguments: [
        "2024-04-15T21:45:34.211111111111111111111106Z", "2024-04-15T21:45:34.2119999999999999999999999999Z",
        "2024-04-15T21:45:34.2111Z", "2024-04-15T21:45:34.211Z",
    ])
    func longFraction(text: String) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(Timestamp.format(date) == "2024-04-15T21:45:34.211Z")
    }

    @Test("short fractions are scaled to milliseconds")
    func shortFractions() {
        #expect(Timestamp.parse("2024-04-15T21:45:34.2Z").map(Timestamp.format) == "2024-04-15T21:45:34.200Z")
        #expect(Timestamp.parse("2024-04-15T21:45:34.21Z").map(Timestamp.format) == "2024-04-15T21:45:34.210Z")
    }

    @Test("a fraction with a non-digit or no digits is refused", arguments: [
        "2024-04-15T21:45:34.Z", "2024-04-15T21:45:34.2a1Z", "2024-04-15T21:45:34.211111111111111111111x06Z",
    ])
    func malformedFraction(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("the fuzzer's event data decodes")
    func crashingEvent() throws {
        let event = try EventRegistry.domain.decode(type: "OrderCancelled", version: 1, data: Array(Self.crashingEventData.utf8))
        #expect(Timestamp.format(event.occurredAt) == "2024-04-15T21:45:34.211Z")
    }
}
