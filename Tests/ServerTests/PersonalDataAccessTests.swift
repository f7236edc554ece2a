import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Projections
@testable import Server
import Testing

/// Reads of personal data through the API, by every role, recorded as `DataAccessed`; the
/// subject's access log; pseudonymised exports; raw-log routes that never show plaintext.
@Suite("Personal data access")
struct PersonalDataAccessTests {
    @Test func everyRolesReadsAreRecordedWithSubjectsAndFields() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            try await api.settle()
            #expect(try api.accesses().isEmpty, "commands record no access")

            // A manager's 360: one event naming the customer, its contact and the fields read.
            let read = try await api.expect(.ok, .get, "/v1/customers/c1", as: "manager")
            #expect(read.text.contains(PrivacyAPI.email), "the manager reads the data in the clear")
            var accesses = try api.accesses()
            try #require(accesses.count == 1)
            let (event, access) = accesses[0]
            #expect(event.actor == Actor(id: "mgr-1", role: "manager"))
            #expect(event.source.clientAddress == "unknown")  // no socket in router tests
            #expect(access.route == "GET /v1/customers/{id}")
            #expect(access.subject == "customer:c1")
            #expect(access.subjects == ["contact:ct1", "customer:c1"])
            #expect(Set(access.fields).isSuperset(of: ["name", "email", "phone", "contacts.name", "contacts.email",
                                                       "recentInteractions.subject"]))
            #expect(!access.fields.contains("address"), "absent values are no fields read")
            #expect(access.purpose == nil, "optional for managers")
            #expect(!String(decoding: event.data, as: UTF8.self).contains(PrivacyAPI.email), "an access event holds no personal value")

            // An auditor must say why; the refusal reads and records nothing.
            let before = api.head
            let refused = try await api.get("/v1/customers/c1", as: "auditor")
            let problem = try expectProblem(refused, status: .badRequest, code: "invalid-parameter")
            #expect(problem["parameter"] as? String == "purpose")
            #expect(!refused.text.contains(PrivacyAPI.email))
            for uri in ["/v1/customers", "/v1/service/queue", "/v1/service/queue/at-risk", "/v1/audit/export"] {
                try expectProblem(try await api.get(uri, as: "auditor"), status: .badRequest, code: "invalid-parameter")
            }
            #expect(api.head == before)
            try await api.expect(.ok, .get, "/v1/customers/c1?purpose=complaint%20review", as: "auditor")

            // A list page is one event listing its rows' customers; an empty page records nothing.
            try await api.expect(.ok, .get, "/v1/customers?sort=name", as: "manager")
            try await api.expect(.ok, .get, "/v1/customers?tag=nobody-has-this", as: "admin")
            // Routes without personal values record nothing.
            try await api.expect(.ok, .get, "/v1/pipeline", as: "admin")
            accesses = try api.accesses()
            try #require(accesses.count == 3, "\(accesses.map(\.access))")
            #expect(accesses[1].event.actor == Actor(id: "aud", role: "auditor"))
            #expect(accesses[1].access.purpose == "complaint review")
            #expect(accesses[1].access.filters == [:], "purpose is not repeated among the filters")
            let list = accesses[2].access
            #expect(list.route == "GET /v1/customers")
            #expect(list.subject == nil)
            #expect(list.subjects == ["customer:c1", "customer:c2"])
            #expect(list.fields == ["items.name"])
            #expect(list.filters == ["sort": "name"])
        }
    }

    @Test func theAccessLogSaysWhoSawThePerson() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            try await api.settle()
            try await api.expect(.ok, .get, "/v1/customers/c1", as: "manager")
            try await api.expect(.ok, .get, "/v1/customers/c1?purpose=complaint%20review", as: "auditor")
            try await api.expect(.ok, .get, "/v1/customers", as: "admin")

            func items(_ uri: String, as role: String = "auditor") async throws -> [[String: Any]] {
                let response = try await api.expect(.ok, .get, uri, as: role)
                #expect(response.logPosition == String(api.head))
                return response.object["items"] as? [[String: Any]] ?? []
            }
            let log = try await items("/v1/subjects/customer:c1/access-log")
            #expect(log.map { ($0["actor"] as? [String: Any])?["id"] as? String } == ["mgr-1", "aud", "test-admin"])
            #expect(log.map { ($0["actor"] as? [String: Any])?["role"] as? String } == ["manager", "auditor", "admin"])
            #expect(log.map { $0["route"] as? String } == ["GET /v1/customers/{id}", "GET /v1/customers/{id}", "GET /v1/customers"])
            #expect(log[1]["purpose"] as? String == "complaint review")
            #expect((log[0]["fields"] as? [String])?.contains("email") == true)
            #expect((log[0]["source"] as? [String: Any])?["clientAddress"] as? String == "unknown")
            #expect(log.allSatisfy { ($0["at"] as? String)?.hasSuffix("Z") == true })
            // The same log under the bare id, as an admin; the contact's only has the 360s, which
            // showed it; the other customer's only the list.
            #expect(try await items("/v1/subjects/c1/access-log", as: "admin").count == 3)
            #expect(try await items("/v1/subjects/contact:ct1/access-log").count == 2)
            #expect(try await items("/v1/subjects/customer:c2/access-log").map { $0["route"] as? String } == ["GET /v1/customers"])
            #expect(try await items("/v1/subjects/customer:nobody/access-log").isEmpty)

            // Paged by cursor, without repeats.
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let page = try await api.expect(.ok, .get, "/v1/subjects/customer:c1/access-log?limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                                as: "auditor").object
                seen += (page["items"] as? [[String: Any]] ?? []).compactMap { ($0["position"] as? NSNumber)?.intValue }
                cursor = page["next"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen.count == 3)
            #expect(Set(seen).count == 3)

            // Who may ask, and what a bad request is.
            let forbidden = try await api.get("/v1/subjects/customer:c1/access-log", as: "manager")
            #expect(try expectProblem(forbidden, status: .forbidden, code: "forbidden")["permission"] as? String == "audit.read")
            for query in ["cursor=abc", "cursor=0", "limit=0", "since=2024-05-02&until=2024-05-01"] {
                try expectProblem(try await api.get("/v1/subjects/customer:c1/access-log?\(query)"), status: .badRequest,
                                  code: "invalid-parameter")
            }
            // The audit trail's own list finds them under either name too.
            let access = try await api.expect(.ok, .get, "/v1/audit/access?subject=customer:c1", as: "auditor")
            #expect(access.events.count == 3)
            #expect(try await api.expect(.ok, .get, "/v1/audit/access?subject=c1", as: "auditor").events.count == 3)
        }
    }

    @Test func exportsArePseudonymisedOnRequestAndRawRoutesNeverShowPlaintext() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            let keyRing = try #require(api.keyRing)
            let secrets = [PrivacyAPI.email, PrivacyAPI.name, PrivacyAPI.contactName, PrivacyAPI.contactEmail, PrivacyAPI.interactionSubject]

            let pseudonymised = try await api.expect(.ok, .get, "/v1/audit/export?pseudonymise=true&purpose=churn%20analysis", as: "auditor")
            for secret in secrets { #expect(!pseudonymised.text.contains(secret), "\(secret)") }
            #expect(pseudonymised.text.contains(keyRing.pseudonym(for: "customer:c1")))
            #expect(pseudonymised.text.contains(keyRing.pseudonym(for: "contact:ct1")))
            #expect(pseudonymised.text.contains(keyRing.pseudonym(for: "customer:c2")))
            #expect(keyRing.pseudonym(for: "customer:c1") != keyRing.pseudonym(for: "customer:c2"))
            #expect(!pseudonymised.text.contains("ciphertextBase64"))
            #expect(!pseudonymised.text.contains(PersonalDataProtection.placeholder))
            let registered = try #require(pseudonymised.text.split(separator: "\n").first { $0.contains("\"CustomerRegistered\"") })
            let data = try #require((try JSONSerialization.jsonObject(with: Data(registered.utf8)) as? [String: Any])?["data"] as? [String: Any])
            #expect(data["email"] as? String == keyRing.pseudonym(for: "customer:c1"))
            #expect(data["customerId"] as? String == "c1", "ids are not personal fields")
            #expect(data["channel"] as? String == "webForm")
            let recorded = try #require(try api.accesses().last?.access)
            #expect(recorded.filters["pseudonymise"] == "true")
            #expect(recorded.fields == [])
            #expect(recorded.purpose == "churn analysis")

            // Without pseudonymise, the export opens the values (and is recorded as such).
            let plain = try await api.expect(.ok, .get, "/v1/audit/export?purpose=case%2017", as: "auditor")
            for secret in secrets { #expect(plain.text.contains(secret), "\(secret)") }
            #expect(try api.accesses().last?.access.fields == ["events"])
            #expect(try await api.get("/v1/audit/export?pseudonymise=yes&purpose=x", as: "auditor").status == .badRequest)

            // The raw log, streams, the audit trail and the feed show the stored form only.
            let head = api.head
            for uri in ["/v1/events?limit=1000", "/v1/streams/customer-c1/events", "/v1/audit/events?stream=customer-c1",
                        "/v1/feed?from=1&through=\(head)"] {
                let raw = try await api.expect(.ok, .get, uri, as: "admin")
                for secret in secrets { #expect(!raw.text.contains(secret), "\(uri): \(secret)") }
                #expect(raw.text.contains(PersonalDataProtection.placeholder), "\(uri)")
                #expect(raw.text.contains("ciphertextBase64"), "\(uri)")
            }
            // And so does the log file itself.
            let file = try #require(FileManager.default.contents(atPath: api.store.directory + "/log/data.mdb"))
            for secret in secrets { #expect(file.range(of: Data(secret.utf8)) == nil, "\(secret)") }
        }
    }

    /// A known integration type carrying personal data is sealed like a domain event; a retry is
    /// still recognised (sealing is deterministic); an erased customer refuses new ones.
    @Test func integrationEventsWithPersonalDataAreSealed() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            let secret = "Private matter 4711"
            let body = #"""
                {"expectedVersion":"any","events":[{"id":"0190f4c2-7d1e-7b3a-9c41-2f6e8a9b0c11","type":"ExternalInteractionRecorded",
                 "data":{"customerId":"c1","system":"cti","externalId":"x1","channel":"call","direction":"inbound",
                         "outcome":"answered","subject":"\#(secret)","occurredAt":"2024-05-01T10:00:00.000Z"}}]}
                """#
            let first = try await api.expect(.created, .post, "/v1/streams/ext-cti/events", body, as: "integrator")
            let position = try #require((first.object["positions"] as? [NSNumber])?.first?.uint64Value)
            let stored = try #require(try api.store.event(at: position))
            #expect(stored.sealed?.subject == "customer:c1")
            #expect(!String(decoding: stored.data, as: UTF8.self).contains(secret))
            let registry = EventRegistry.domain.protecting(with: try #require(api.keyRing))
            let opened = try #require(try registry.decode(stored) as? ExternalInteractionRecorded)
            #expect(opened.subject == secret)
            let retry = try await api.expect(.ok, .post, "/v1/streams/ext-cti/events", body, as: "integrator")
            #expect(retry.object["wasAlreadyStored"] as? Bool == true)

            try await api.expect(.ok, .post, "/v1/subjects/c1/erase", SubjectRoutesTests.reason)
            let after = body.replacingOccurrences(of: "2f6e8a9b0c11", with: "2f6e8a9b0c12")
            try expectProblem(try await api.send(.post, "/v1/streams/ext-cti/events", after, as: "integrator"),
                              status: .gone, code: "subject-erased")
        }
    }

    /// Access events of schema version 1 (a bare customer id, no `subjects`) still decode and are
    /// found under the customer's subject id.
    @Test func versionOneAccessEventsStillCount() throws {
        let v1 = #"{"fields":["profile","contacts"],"filters":{},"purpose":"dispute review","route":"GET /v1/customers/{id}","subject":"C1"}"#
        let access = try JSONDecoder().decode(DataAccessed.self, from: Data(v1.utf8))
        #expect(access.subjects == [])
        #expect(access.names(anyOf: DataSubject.aliases(of: "customer:C1")))
        #expect(access.names(anyOf: DataSubject.aliases(of: "C1")))
        #expect(!access.names(anyOf: DataSubject.aliases(of: "contact:C1")))
        #expect(!access.names(anyOf: DataSubject.aliases(of: "customer:C2")))
        // A long list keeps the event bounded and says how many it left out.
        let many = DataAccessed(route: "GET /v1/customers", subjects: (0..<1500).map { "customer:\($0)" })
        #expect(many.subjects.count == DataAccessed.maxSubjects)
        #expect(many.omittedSubjects == 500)
    }
}
