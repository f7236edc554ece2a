import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// `POST /v1/streams/{stream}/events` and `POST /v1/streams/batch`.
@Suite("Integration streams")
struct IntegrationStreamTests {
    static func event(_ id: UUID = UUID(), type: String = "ShopOrderReceived", data: String = #"{"order":"W-1","total":"12.50"}"#) -> String {
        #"{"id":"\#(id.uuidString)","type":"\#(type)","data":\#(data)}"#
    }

    @Test func anIntegratorAppendsAndARetryWritesNothing() async throws {
        try await CommandAPI.run { api in
            let id = UUID()
            let body = #"{"expectedVersion":"none","events":[\#(Self.event(id))]}"#
            let first = try await api.send(.post, "/v1/streams/ext-shop/events", body, as: "shop",
                                           headers: [HTTPField.Name("X-Reason")!: "nightly sync"])
            #expect(first.status == .created, "\(first.text)")
            #expect(first.object["streamVersion"] as? NSNumber == 1)
            #expect(first.logPosition == "1")
            let stored = try #require(try api.store.event(at: 1))
            #expect(stored.actor == Actor(id: "shop", role: "integrator"))
            #expect(stored.reason == "nightly sync")
            #expect(stored.stream == "ext-shop" && stored.id == id)
            // The same ids again: the first positions, nothing written.
            let retry = try await api.send(.post, "/v1/streams/ext-shop/events", #"{"expectedVersion":"any","events":[\#(Self.event(id))]}"#, as: "shop")
            #expect(retry.status == .ok)
            #expect((retry.object["positions"] as? [NSNumber])?.map(\.intValue) == [1])
            #expect(retry.object["wasAlreadyStored"] as? Bool == true)
            #expect(api.head == 1)
            // A stale expected version is refused with the current one.
            let stale = try await api.send(.post, "/v1/streams/ext-shop/events", #"{"expectedVersion":0,"events":[\#(Self.event())]}"#, as: "shop")
            let problem = try expectProblem(stale, status: .conflict, code: "version-conflict")
            #expect(problem["currentVersion"] as? NSNumber == 1)
            #expect(api.head == 1)
        }
    }

    @Test func domainStreamsAndTypesAreRefused() async throws {
        try await CommandAPI.run { api in
            for stream in ["customer-c1", "opportunity-o1", "ext-", "shop"] {
                let response = try await api.send(.post, "/v1/streams/\(stream)/events", #"{"expectedVersion":"any","events":[\#(Self.event())]}"#, as: "shop")
                try expectProblem(response, status: .unprocessableContent, code: "reserved-stream")
            }
            let typed = try await api.send(.post, "/v1/streams/ext-shop/events",
                                           #"{"expectedVersion":"any","events":[\#(Self.event(type: "CustomerRegistered"))]}"#, as: "shop")
            try expectProblem(typed, status: .badRequest, code: "validation-failed")
            #expect(typed.problemFields["events[0].type"] != nil)
            let malformed = try await api.send(.post, "/v1/streams/ext-shop/events",
                                               #"{"expectedVersion":"sometimes","events":[{"id":"x","type":"","data":[],"extra":1}],"more":true}"#, as: "shop")
            try expectProblem(malformed, status: .badRequest, code: "validation-failed")
            #expect(Set(malformed.problemFields.keys) == ["more", "expectedVersion", "events[0].id", "events[0].type", "events[0].data", "events[0].extra"])
            #expect(api.head == 0)
        }
    }

    @Test func onlyAdminsAndScopedIntegratorsMayAppend() async throws {
        try await CommandAPI.run { api in
            let body = #"{"expectedVersion":"any","events":[\#(Self.event())]}"#
            for user in ["mgr-01", "agent-1", "audit", "crm-sync"] {
                let response = try await api.send(.post, "/v1/streams/ext-shop/events", body, as: user)
                let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                #expect(problem["permission"] as? String == "streams.append")
            }
            try await api.expectAccepted(.post, "/v1/streams/ext-shop/events", body, as: "admin", status: .created)
        }
    }

    @Test func aBatchIsAllOrNothing() async throws {
        try await CommandAPI.run { api in
            let good = #"{"streams":[{"stream":"ext-a","expectedVersion":"none","events":[\#(Self.event())]},{"stream":"ext-b","expectedVersion":"none","events":[\#(Self.event()),\#(Self.event())]}]}"#
            let response = try await api.send(.post, "/v1/streams/batch", good, as: "shop")
            #expect(response.status == .created, "\(response.text)")
            let streams = response.object["streams"] as? [[String: Any]] ?? []
            #expect(streams.compactMap { $0["stream"] as? String } == ["ext-a", "ext-b"])
            #expect(api.head == 3)
            // ext-c is new, but ext-a is not at version 0: nothing is written.
            let conflicting = #"{"streams":[{"stream":"ext-c","expectedVersion":"none","events":[\#(Self.event())]},{"stream":"ext-a","expectedVersion":0,"events":[\#(Self.event())]}]}"#
            let refused = try await api.send(.post, "/v1/streams/batch", conflicting, as: "shop")
            try expectProblem(refused, status: .conflict, code: "version-conflict")
            #expect(api.head == 3)
            #expect(try api.store.streamVersion("ext-c") == 0)
            // A domain stream anywhere in the batch refuses the whole batch.
            let sneaky = #"{"streams":[{"stream":"ext-c","expectedVersion":"any","events":[\#(Self.event())]},{"stream":"customer-c1","expectedVersion":"any","events":[\#(Self.event())]}]}"#
            try expectProblem(try await api.send(.post, "/v1/streams/batch", sneaky, as: "shop"), status: .unprocessableContent, code: "reserved-stream")
            #expect(api.head == 3)
        }
    }
}
