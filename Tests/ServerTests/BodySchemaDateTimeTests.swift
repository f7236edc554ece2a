import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import Server
import Testing

/// Time members of command bodies with fractions of any length. Found by the libFuzzer drill
/// (`Fuzz/Sources/FuzzCommands`): a fraction of 19 or more digits trapped in `Timestamp.parse`,
/// which the strict body check calls first, so one request from any caller allowed to write
/// killed the server.
@Suite("Body schema: times with long fractions")
struct BodySchemaDateTimeTests {
    static let longFraction = "2023-03-09T08:00:00.1234567890123456789012345Z"

    @Test("the body check accepts a long fraction")
    func checked() {
        #expect(BodySchema.dateTime.problems(in: .string(Self.longFraction)).isEmpty)
        #expect(BodySchema.dateTime.problems(in: .string("2023-03-09T08:00:00.12345678901234567890x5Z")).count == 1)
    }

    @Test("a command with a long fraction in a time is decided, and the server keeps answering")
    func served() async throws {
        try await CommandAPI.run { api in
            let body = #"""
                {"budget":{"amount":"14800.00","currency":"EUR"},"campaignId":"CMP-LONG-1","channel":"email",
                 "name":"Spring webinar series","plannedEnd":"\#(Self.longFraction)",
                 "plannedStart":"2023-01-12T08:00:00.000Z","targetSegment":"smb"}
                """#
            try await api.expectAccepted(.post, "/v1/campaigns", body, status: .created)
            let stream = try await api.send(.get, "/v1/streams/campaign-CMP-LONG-1/events")
            #expect(stream.status == .ok)
            #expect(stream.text.contains("2023-03-09T08:00:00.123Z"))
        }
    }
}
