import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
@testable import Server
import Testing

/// `GET /v1/analytics/state-cycle/rules` and `POST /v1/analytics/state-cycle/replays`: a what-if
/// replay under other rules, beside the live transitions, without touching the live model.
@Suite("State-cycle replay routes")
struct ReplayRoutesTests {
    @Test func replayUnderOtherRulesIsComparedWithTheLiveOne() async throws {
        try await withQueryCompany(customers: 12) { company in
            let rules = try await company.object("/v1/analytics/state-cycle/rules", as: "manager")
            #expect(rules["churnAfterDays"] is NSNumber)

            func post(_ body: String, as role: String = "admin") async throws -> TestResponse {
                try await company.client.executeRequest(
                    uri: "/v1/analytics/state-cycle/replays", method: .post,
                    headers: [.authorization: "Bearer \(company.bearers[role] ?? "")", .contentType: "application/json"],
                    body: ByteBuffer(string: body))
            }
            func rulesJSON(_ changes: [String: Any]) throws -> String {
                var copy = rules
                for (key, value) in changes { copy[key] = value }
                return String(decoding: try JSONSerialization.data(withJSONObject: copy), as: UTF8.self)
            }
            let transitions = try await company.get("/v1/analytics/state-transitions?from=2000-01-01&to=2100-01-01")
            #expect(transitions.status == .ok, "\(transitions.text)")
            let liveTransitionsBefore = transitions.text

            // The same rules reproduce the live report exactly: replay is deterministic.
            let same = try await post(#"{"name":"same","rules":\#(try rulesJSON([:]))}"#)
            #expect(same.status == .ok, "\(same.text)")
            let sameAnswer = same.object
            #expect(NSDictionary(dictionary: sameAnswer["live"] as? [String: Any] ?? [:])
                    .isEqual(to: sameAnswer["replay"] as? [String: Any] ?? ["missing": true]))

            // Churn after one day loses far more customers than the live rules.
            let harsh = try await post(#"{"name":"harsh","rules":\#(try rulesJSON(["churnAfterDays": 1, "version": 99]))}"#)
            #expect(harsh.status == .ok, "\(harsh.text)")
            let answer = harsh.object
            #expect((answer["replayRulesVersion"] as? NSNumber)?.intValue == 99)
            let liveLost = ((answer["live"] as? [String: Any])?["lost"] as? NSNumber)?.intValue ?? -1
            let replayLost = ((answer["replay"] as? [String: Any])?["lost"] as? NSNumber)?.intValue ?? -1
            #expect(replayLost > liveLost, "lost: live \(liveLost), replay \(replayLost)")

            // The live read model is untouched.
            #expect(try await company.get("/v1/analytics/state-transitions?from=2000-01-01&to=2100-01-01").text == liveTransitionsBefore)

            // Refusals: a manager may not replay; bad names, bodies and periods are 400 and replay nothing.
            #expect(try await post(#"{"name":"x","rules":\#(try rulesJSON([:]))}"#, as: "manager").status == .forbidden)
            #expect(try await post(#"{"name":"../etc","rules":\#(try rulesJSON([:]))}"#).status == .badRequest)
            #expect(try await post(#"{"name":"x"}"#).status == .badRequest)
            #expect(try await post("not json").status == .badRequest)
            #expect(try await post(#"{"name":"x","rules":\#(try rulesJSON([:])),"periodFrom":"2025-01-01","periodTo":"2024-01-01"}"#).status == .badRequest)
        }
    }
}
