import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// Idempotency keys, `If-Match`, strict bodies, domain refusals and where the events' actor comes
/// from.
@Suite("Command behaviour")
struct CommandBehaviourTests {
    static let customer = #"{"customerId":"c1","kind":"person","name":"Ana Lima","channel":"webForm"}"#

    @Test func aRetryWithTheSameKeyGetsTheFirstAnswerAndWritesNothing() async throws {
        try await CommandAPI.run { api in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "k-1"]
            let first = try await api.send(.post, "/v1/customers", Self.customer, headers: key)
            #expect(first.status == .created)
            let head = api.head
            let retry = try await api.send(.post, "/v1/customers", Self.customer, headers: key)
            #expect(retry.status == .created)
            #expect(retry.text == first.text)
            #expect(retry.headers[.eTag] == first.headers[.eTag])
            #expect(retry.headers[.location] == first.headers[.location])
            #expect(retry.logPosition == first.logPosition)
            #expect(api.head == head)
            // The same key with another body is refused; without a key the command is decided again.
            let other = try await api.send(.post, "/v1/customers", Self.customer.replacingOccurrences(of: "Ana", with: "Eva"), headers: key)
            try expectProblem(other, status: .unprocessableContent, code: "idempotency-key-reused")
            let again = try await api.send(.post, "/v1/customers", Self.customer)
            try expectProblem(again, status: .conflict, code: "already-exists")
            #expect(api.head == head)
            // Keys belong to the user: another user's same key is another request.
            let agent = try await api.send(.post, "/v1/customers",
                                           Self.customer.replacingOccurrences(of: "c1", with: "c9").replacingOccurrences(of: "Ana Lima", with: "Zoe Park"), as: "agent-1", headers: key)
            #expect(agent.status == .created, "\(agent.text)")
        }
    }

    /// The server stopped after appending but before storing the answer: the retry finds the
    /// events by their derived ids and appends nothing.
    @Test func aRetryAfterALostAnswerAppendsNothing() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01")
            let commandId = IdempotencyStore.commandId(user: "admin", key: "lost")
            let ids = (0..<CommandRoutes.idsPerCommand).map { UUID.derived(from: commandId, index: $0) }
            let event = try EventRegistry.domain.encode(
                TagCustomer(customerId: "c1", tag: "vip", tagged: true).decide(
                    CommandHandler(store: api.store).load(Customer.self, id: "c1").state, DecisionContext(now: Date()))[0], id: ids[0])
            let written = try await api.store.append("customer-c1", [event], expected: .any, metadata: AppendMetadata(
                actor: Actor(id: "admin", role: "admin"), source: Source(clientAddress: "unknown", userAgent: "t", host: "h")))
            let head = api.head
            let retry = try await api.send(.post, "/v1/customers/c1/tags", #"{"tag":"vip","tagged":true}"#,
                                           headers: [HTTPField.Name("Idempotency-Key")!: "lost"])
            #expect(retry.status == .ok, "\(retry.text)")
            #expect(api.head == head)
            #expect((retry.object["positions"] as? [NSNumber])?.map(\.uint64Value) == written.positions)
            #expect(retry.object["events"] as? [String] == ["CustomerTagged"])
        }
    }

    /// A refusal is a first answer too: the retry gets it again even once the command would pass.
    @Test func aRefusalIsReplayedToo() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01")
            try await api.expectAccepted(.post, "/v1/cases",
                                         #"{"caseId":"k1","customerId":"c1","channel":"email","category":"technical","priority":"high","isComplaint":false,"subject":"s","description":"d"}"#,
                                         status: .created)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "close-1"]
            let first = try await api.send(.post, "/v1/cases/k1/close", "", headers: key)
            try expectProblem(first, status: .unprocessableContent, code: "rule-violated")
            try await api.expectAccepted(.post, "/v1/cases/k1/resolve", #"{"resolution":"fixed"}"#)
            let head = api.head
            let retry = try await api.send(.post, "/v1/cases/k1/close", "", headers: key)
            try expectProblem(retry, status: .unprocessableContent, code: "rule-violated")
            #expect(retry.text == first.text)
            #expect(api.head == head)
        }
    }

    @Test func ifMatchGuardsTheStreamVersion() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01")  // version 2: registered, manager assigned
            let head = api.head
            let stale = try await api.send(.post, "/v1/customers/c1/tags", #"{"tag":"vip","tagged":true}"#,
                                           headers: [.ifMatch: "\"1\""])
            let problem = try expectProblem(stale, status: .conflict, code: "version-conflict")
            #expect((problem["currentVersion"] as? NSNumber)?.intValue == 2)
            #expect(api.head == head)
            let fresh = try await api.send(.post, "/v1/customers/c1/tags", #"{"tag":"vip","tagged":true}"#, headers: [.ifMatch: "2"])
            #expect(fresh.status == .ok)
            #expect(fresh.headers[.eTag] == "\"3\"")
            let malformed = try await api.send(.post, "/v1/customers/c1/tags", #"{"tag":"x","tagged":true}"#, headers: [.ifMatch: "W/x"])
            try expectProblem(malformed, status: .badRequest, code: "invalid-parameter")
        }
    }

    @Test func malformedBodiesAreRefusedNamingEachField() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01")
            let head = api.head
            let cases: [(String, String, [String])] = [
                ("/v1/customers", "{not json", ["body"]),
                ("/v1/customers", "[1,2]", ["body"]),
                ("/v1/customers", #"{"customerId":"c2","kind":"robot","name":7,"channel":"webForm","shoeSize":44}"#, ["kind", "name", "shoeSize"]),
                ("/v1/customers", #"{"customerId":"c2","kind":"person"}"#, ["name", "channel"]),
                ("/v1/customers/c1/classification", #"{"classification":{"segment":"smb","region":"N","industry":"x","size":"s"}}"#, ["classification.tier"]),
                ("/v1/customers/c1/tags", #"{"customerId":"c2","tag":"vip","tagged":"yes"}"#, ["customerId", "tagged"]),
                ("/v1/opportunities", #"{"opportunityId":"o1","customerId":"c1","processId":"p","title":"t","cycleKind":"upSell","amount":{"amount":"-1","currency":"EUR"},"expectedCloseDate":"soon","ownerId":"mgr-01","fields":{"a":1}}"#,
                 ["amount.amount", "expectedCloseDate", "fields.a"]),
                ("/v1/quotes", #"{"quoteId":"q1","customerId":"c1","lines":[{"productId":"p","quantity":1.5,"unitPrice":{"amount":"1","currency":"EUR","extra":1}}]}"#,
                 ["lines[0].quantity", "lines[0].unitPrice.extra"]),
            ]
            for (path, body, fields) in cases {
                let response = try await api.send(.post, path, body)
                try expectProblem(response, status: .badRequest, code: "validation-failed")
                #expect(Set(response.problemFields.keys) == Set(fields), "\(path) \(body): \(response.problemFields)")
            }
            #expect(api.head == head)
        }
    }

    @Test func domainRefusalsBecomeStableProblems() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01", email: "ana@example.com")
            let head = api.head
            // A rule: a work task due before it is assigned, say; here: closing a case that is not resolved.
            try await api.expectAccepted(.post, "/v1/cases",
                                         #"{"caseId":"k1","customerId":"c1","channel":"email","category":"technical","priority":"high","isComplaint":false,"subject":"s","description":"d"}"#,
                                         status: .created)
            let rule = try await api.send(.post, "/v1/cases/k1/close")
            let problem = try expectProblem(rule, status: .unprocessableContent, code: "rule-violated")
            #expect((problem["rule"] as? String)?.isEmpty == false)
            try expectProblem(try await api.send(.post, "/v1/cases/nope/close"), status: .notFound, code: "not-found")
            let duplicate = try await api.send(.post, "/v1/customers",
                                               #"{"customerId":"c2","kind":"person","name":"Ana L","email":"ANA@example.com","channel":"phone"}"#)
            let dup = try expectProblem(duplicate, status: .conflict, code: "likely-duplicate")
            #expect(dup["matches"] as? [String] == ["c1"])
            let invalid = try await api.send(.post, "/v1/customers", #"{"customerId":"c3","kind":"person","name":"Bo","email":"not-an-email","channel":"phone"}"#)
            try expectProblem(invalid, status: .badRequest, code: "validation-failed")
            #expect(invalid.problemFields["email"] != nil)
            #expect(api.head == head + 1)
            // Merged customers point to the survivor.
            try await api.register("c4", manager: "mgr-01")
            try await api.expectAccepted(.post, "/v1/customers/c1/merge", #"{"absorbedId":"c4","reason":"duplicate"}"#)
            let merged = try await api.send(.post, "/v1/customers/c4/tags", #"{"tag":"x","tagged":true}"#)
            let gone = try expectProblem(merged, status: .gone, code: "customer-merged")
            #expect(gone["survivor"] as? String == "c1")
        }
    }

    /// The actor, role and source of the events are the token's, whatever the body says.
    @Test func theActorComesFromTheToken() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01")
            let response = try await api.send(.post, "/v1/customers/c1/tags", #"{"tag":"vip","tagged":true,"actor":"admin"}"#, as: "mgr-02")
            try expectProblem(response, status: .badRequest, code: "validation-failed")
            let tagged = try await api.send(.post, "/v1/customers/c1/tags", #"{"tag":"vip","tagged":true}"#, as: "mgr-01",
                                            headers: [.userAgent: "crm-web/9", HTTPField.Name("X-Reason")!: "asked by phone"])
            #expect(tagged.status == .ok)
            let event = try #require(try api.store.event(at: api.head))
            #expect(event.actor == Actor(id: "mgr-01", role: "manager"))
            #expect(event.source.userAgent == "crm-web/9")
            #expect(event.source.clientAddress == "unknown")
            #expect(event.reason == "asked by phone")
        }
    }

    /// Auditors cannot write; agents only their own customers and cases; managers their team's.
    @Test func rolesAndRowsDecideWhoMayCommand() async throws {
        try await CommandAPI.run { api in
            try await api.defineTeams()
            try await api.register("c1", manager: "mgr-01")
            try await api.register("c9", manager: "mgr-09")
            try await api.register("a1", manager: "agent-1")
            let tag = #"{"tag":"vip","tagged":true}"#
            let head = api.head
            let auditor = try expectProblem(try await api.send(.post, "/v1/customers/c1/tags", tag, as: "audit"),
                                            status: .forbidden, code: "forbidden")
            #expect(auditor["permission"] as? String == "customers.write")
            try expectProblem(try await api.send(.post, "/v1/teams", #"{"teamId":"x","name":"X","region":"X"}"#, as: "mgr-01"),
                              status: .forbidden, code: "forbidden")
            try expectProblem(try await api.send(.post, "/v1/customers/c1/tags", tag, as: "crm-sync"), status: .forbidden, code: "forbidden")
            let outsider = try expectProblem(try await api.send(.post, "/v1/customers/c9/tags", tag, as: "mgr-02"),
                                             status: .forbidden, code: "forbidden")
            #expect(outsider["record"] as? String == "customer-c9")
            try expectProblem(try await api.send(.post, "/v1/customers/c1/tags", tag, as: "agent-2"), status: .forbidden, code: "forbidden")
            try expectProblem(try await api.send(.post, "/v1/customers", #"{"customerId":"n1","kind":"person","name":"N","channel":"phone","managerId":"mgr-09"}"#, as: "mgr-01"),
                              status: .forbidden, code: "forbidden")
            #expect(api.head == head)
            try await api.expectAccepted(.post, "/v1/customers/c1/tags", tag, as: "mgr-02")  // a team mate covers
            try await api.expectAccepted(.post, "/v1/customers/a1/tags", tag, as: "agent-1")
            // An agent may work a case assigned to it on someone else's customer.
            try await api.expectAccepted(.post, "/v1/cases",
                                         #"{"caseId":"k1","customerId":"c9","channel":"email","category":"technical","priority":"high","isComplaint":false,"subject":"s","description":"d"}"#,
                                         status: .created)
            try expectProblem(try await api.send(.post, "/v1/cases/k1/first-response", "{}", as: "agent-1"), status: .forbidden, code: "forbidden")
            try await api.expectAccepted(.post, "/v1/cases/k1/assignment", #"{"agentId":"agent-1"}"#)
            try await api.expectAccepted(.post, "/v1/cases/k1/first-response", "{}", as: "agent-1")
            // A manager's own registration is assigned to it, so it can go on changing the customer.
            try await api.expectAccepted(.post, "/v1/customers", #"{"customerId":"n2","kind":"person","name":"N","channel":"phone"}"#,
                                         as: "mgr-09", status: .created)
            try await api.expectAccepted(.post, "/v1/customers/n2/tags", tag, as: "mgr-09")
        }
    }
}
