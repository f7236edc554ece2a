import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
@testable import Server
import Testing

/// A known integration event type (`ExternalInteractionRecorded`) appended by an external system to
/// its own stream feeds the customer 360, and its data is checked before anything is written.
@Suite("Integration events feed projections")
struct IntegrationEventTests {
    @Test func anExternalSystemsInteractionAppearsInTheCustomer360() async throws {
        try await withQueryCompany(customers: 6) { company in
            let customers = try await company.all("/v1/customers", limit: 100)
            let id = try #require(customers.strings("customerId").first)
            func append(_ data: String) async throws -> TestResponse {
                let body = #"{"expectedVersion":"any","events":[{"id":"\#(UUID().uuidString)","type":"ExternalInteractionRecorded","data":\#(data)}]}"#
                return try await company.client.executeRequest(
                    uri: "/v1/streams/ext-cti/events", method: .post,
                    headers: [.authorization: "Bearer \(company.bearers["admin"] ?? "")", .contentType: "application/json"],
                    body: ByteBuffer(string: body))
            }
            let head = try company.store.head().position

            // Data that does not decode as the type is refused by field, and nothing is written.
            let bad = try await append(#"{"system":"cti","externalId":"call-77","channel":"pigeon","direction":"inbound","outcome":"answered","occurredAt":"2026-11-24T09:00:00.000Z"}"#)
            #expect(bad.status == .badRequest, "\(bad.text)")
            #expect(bad.text.contains("events[0].data"))
            #expect(try company.store.head().position == head)

            let good = try await append(#"{"customerId":"\#(id)","system":"cti","externalId":"call-77","channel":"call","direction":"inbound","durationSeconds":95,"outcome":"answered","occurredAt":"2099-01-01T09:00:00.000Z"}"#)
            #expect(good.status == .ok || good.status == .created, "\(good.text)")
            let position = try #require((good.object["positions"] as? [NSNumber])?.last?.uint64Value)
            let customer = try await company.object("/v1/customers/\(id)?minPosition=\(position)")
            let recent = customer["recentInteractions"] as? [[String: Any]] ?? []
            #expect(recent.first?["interactionId"] as? String == "cti:call-77", "\(recent.prefix(2))")
            #expect(recent.first?["channel"] as? String == "call")
        }
    }
}
