import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// Requests with the same `Idempotency-Key` sent at the same time (a client retrying while its
/// first attempt still runs) are one command: every one of them gets the answer of the command
/// that was carried out, and its events are stored once.
///
/// Found by the soak drill (scripts/drills/soak.sh), which repeats some commands at once: a twin
/// that decided after the first one's append, but before the first one stored its answer, saw the
/// interaction already logged and was refused (409 `already-exists`); that refusal was stored as
/// the key's first answer, so the request whose command was carried out answered 409 as well, and
/// so did every later retry. The same race made a tag command's twin store an empty "nothing
/// changed" answer.
@Suite("Idempotent twins")
struct IdempotentTwinTests {
    static let rounds = 100
    static let twins = 6

    /// Sends `twins` copies of one request at once (each a little later than the one before, so
    /// that some decide while the first one commits); returns (status, body) of each.
    static func burst(_ api: CommandAPI, _ path: String, _ body: String, key: String) async throws -> [(Int, String)] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for twin in 0..<twins {
                group.addTask {
                    if twin > 0 { try await Task.sleep(for: .microseconds(400 * twin)) }
                    let response = try await api.send(.post, path, body, headers: [HTTPField.Name("Idempotency-Key")!: key])
                    return (Int(response.status.code), response.text)
                }
            }
            var answers: [(Int, String)] = []
            for try await answer in group { answers.append(answer) }
            return answers
        }
    }

    @Test func twinsOfAnInteractionAllGetItsAnswerAndItIsStoredOnce() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01")
            let before = api.head
            for round in 0..<Self.rounds {
                let body = #"{"interactionId":"twin-\#(round)","channel":"call","direction":"outbound","outcome":"reached"}"#
                let answers = try await Self.burst(api, "/v1/customers/c1/interactions", body, key: "interaction-\(round)")
                #expect(answers.allSatisfy { $0.0 == 200 }, "round \(round): \(answers)")
                #expect(Set(answers.map(\.1)).count == 1, "round \(round): the twins got different answers: \(answers)")
            }
            #expect(api.head == before + UInt64(Self.rounds), "one event per command, not per request")
            let logged = try api.store.readStream("customer-c1", limit: 1000).filter { $0.type == "InteractionLogged" }
            #expect(logged.count == Self.rounds)
        }
    }

    @Test func twinsOfATagCommandAllGetTheTaggedAnswer() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01")
            for round in 0..<Self.rounds {
                let body = #"{"tag":"t\#(round)","tagged":true}"#
                let answers = try await Self.burst(api, "/v1/customers/c1/tags", body, key: "tag-\(round)")
                #expect(answers.allSatisfy { $0.0 == 200 }, "round \(round): \(answers)")
                #expect(Set(answers.map(\.1)).count == 1, "round \(round): the twins got different answers: \(answers)")
                #expect(answers.allSatisfy { $0.1.contains("CustomerTagged") }, "round \(round): an answer says nothing changed: \(answers)")
            }
        }
    }
}
