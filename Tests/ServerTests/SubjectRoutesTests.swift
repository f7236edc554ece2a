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

/// `POST /v1/subjects/{id}/erase`: who may erase, what a refusal leaves (nothing), what an
/// erasure leaves (an intact chain, `erased` everywhere personal values were), and how the server
/// without a key ring and a restarted server behave.
@Suite("Subject routes: erasure")
struct SubjectRoutesTests {
    static let reason = #"{"reason":"GDPR art. 17 request #12"}"#

    @Test func adminErasesASubjectAndEveryReadShowsTheMarker() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            try await api.settle()
            let keyRing = try #require(api.keyRing)
            // Before: the admin reads the person's data.
            #expect(try await api.get("/v1/customers/c1").text.contains(PrivacyAPI.email))
            let before = api.head

            // Only admins may erase; refusals write nothing.
            for role in ["manager", "auditor", "integrator"] {
                let refused = try await api.send(.post, "/v1/subjects/customer:c1/erase", Self.reason, as: role)
                let problem = try expectProblem(refused, status: .forbidden, code: "forbidden")
                #expect(problem["permission"] as? String == "subjects.erase", "\(role)")
            }
            for body in ["{}", #"{"reason":"   "}"#, #"{"reason":"ok","subject":"c2"}"#, #"{"reason":12}"#, "[]"] {
                let refused = try await api.send(.post, "/v1/subjects/customer:c1/erase", body)
                let problem = try expectProblem(refused, status: .badRequest, code: "validation-failed")
                #expect((problem["fields"] as? [Any])?.isEmpty == false, "\(body)")
            }
            try expectProblem(try await api.send(.post, "/v1/subjects/customer:nobody/erase", Self.reason),
                              status: .notFound, code: "not-found")
            try expectProblem(try await api.send(.post, "/v1/subjects/case:k1/erase", Self.reason),
                              status: .badRequest, code: "validation-failed")
            #expect(api.head == before)
            #expect(try !keyRing.isErased("customer:c1"))

            // The erasure.
            let erased = try await api.expect(.ok, .post, "/v1/subjects/customer:c1/erase", Self.reason)
            let answer = try JSONDecoder().decode(ErasureAnswer.self, from: Data(erased.body.readableBytesView))
            #expect(answer.subject == "customer:c1")
            #expect(Set(answer.erasedSubjects) == ["customer:c1", "contact:ct1"])
            #expect(answer.stream == "customer-c1")
            #expect(erased.logPosition == String(answer.position))
            let event = try #require(try api.store.event(at: answer.position))
            #expect(event.type == SubjectErased.eventType)
            #expect(event.stream == "customer-c1")
            #expect(event.reason == "GDPR art. 17 request #12")
            #expect(event.actor == Actor(id: "test-admin", role: "admin"))
            #expect(try keyRing.isErased("customer:c1"))
            #expect(try keyRing.isErased("contact:ct1"))
            #expect(try !keyRing.isErased("customer:c2"))

            // From this answer on, even the admin reads the marker, whether or not the read model
            // has applied the erasure yet; after it has, the same.
            for round in 0..<2 {
                if round == 1 { try await api.settle() }
                let customer = try await api.get("/v1/customers/c1")
                #expect(customer.status == .ok)
                let object = customer.object
                #expect(object["name"] as? String == "erased", "round \(round)")
                #expect(object["email"] as? String == "erased", "round \(round)")
                let contact = try #require((object["contacts"] as? [[String: Any]])?.first)
                #expect(contact["name"] as? String == "erased")
                #expect(contact["email"] as? String == "erased")
                let interaction = try #require((object["recentInteractions"] as? [[String: Any]])?.first)
                #expect(interaction["subject"] as? String == "erased")
                #expect(interaction["outcome"] as? String == "reached", "non-personal facts stay")
                for secret in [PrivacyAPI.email, PrivacyAPI.name, PrivacyAPI.contactName, PrivacyAPI.interactionSubject] {
                    #expect(!customer.text.contains(secret), "round \(round): \(secret)")
                }
                let list = try await api.get("/v1/customers")
                let names = Dictionary(uniqueKeysWithValues: (list.object["items"] as? [[String: Any]] ?? []).map {
                    ($0["customerId"] as? String ?? "", $0["name"] as? String ?? "")
                })
                #expect(names == ["c1": "erased", "c2": "Carl Other"], "round \(round)")
            }

            // Twice is gone, under any of its names; the chain is intact; new personal data is refused.
            try expectProblem(try await api.send(.post, "/v1/subjects/customer:c1/erase", Self.reason), status: .gone, code: "subject-erased")
            try expectProblem(try await api.send(.post, "/v1/subjects/c1/erase", Self.reason), status: .gone, code: "subject-erased")
            #expect(try api.store.verify().isIntact)
            try expectProblem(try await api.send(.post, "/v1/customers/c1/interactions", #"""
                {"interactionId":"i2","channel":"call","direction":"inbound","outcome":"reached","subject":"again"}
                """#, as: "manager"), status: .gone, code: "subject-erased")
        }
    }

    /// An as-of snapshot cached before the erasure still holds the values: the answer masks them.
    @Test func cachedSnapshotsFromBeforeTheErasureAreMasked() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            try await api.settle()
            let position = api.head
            let early = try await api.get("/v1/customers/c1?asOf=\(position)")
            #expect(early.text.contains(PrivacyAPI.email), "the snapshot is built (and cached) with the values")
            try await api.expect(.ok, .post, "/v1/subjects/c1/erase", Self.reason)
            let late = try await api.get("/v1/customers/c1?asOf=\(position)")
            #expect(late.status == .ok)
            #expect(!late.text.contains(PrivacyAPI.email))
            #expect(!late.text.contains(PrivacyAPI.contactName))
            #expect(late.object["name"] as? String == "erased")
            // The same snapshot's list and the service queue's view of it.
            let list = try await api.get("/v1/customers?asOf=\(position)")
            #expect(!list.text.contains(PrivacyAPI.name))
        }
    }

    @Test func anIdempotencyKeyReplaysTheFirstAnswer() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "erase-c2-1"]
            let first = try await api.send(.post, "/v1/subjects/c2/erase", Self.reason, headers: key)
            #expect(first.status == .ok)
            let again = try await api.send(.post, "/v1/subjects/c2/erase", Self.reason, headers: key)
            #expect(again.status == .ok, "a retry with the key gets the first answer, not 410")
            #expect(again.text == first.text)
            #expect(again.logPosition == first.logPosition)
            let other = try await api.send(.post, "/v1/subjects/c2/erase", #"{"reason":"another"}"#, headers: key)
            try expectProblem(other, status: .unprocessableContent, code: "idempotency-key-reused")
            // Without the key, a retry is told the subject is gone; exactly one event was written.
            try expectProblem(try await api.send(.post, "/v1/subjects/c2/erase", Self.reason), status: .gone, code: "subject-erased")
            #expect(try api.store.readStream("customer-c2").filter { $0.type == SubjectErased.eventType }.count == 1)
            // A refusal under a key is replayed too.
            let missingKey: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "erase-nobody"]
            let refused = try await api.send(.post, "/v1/subjects/nobody/erase", Self.reason, headers: missingKey)
            try expectProblem(refused, status: .notFound, code: "not-found")
            let replayed = try await api.send(.post, "/v1/subjects/nobody/erase", Self.reason, headers: missingKey)
            #expect(replayed.status == .notFound)
            #expect(replayed.text == refused.text)
        }
    }

    /// Concurrent erasures of one subject: one succeeds, the others are told it is gone, and the
    /// log records it once.
    @Test func concurrentErasuresRecordOneEvent() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await api.send(.post, "/v1/subjects/customer:c1/erase", Self.reason).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .gone }.count == 5, "\(statuses)")
            #expect(try api.store.readStream("customer-c1").filter { $0.type == SubjectErased.eventType }.count == 1)
        }
    }

    @Test func withoutAKeyRingNothingCanBeErasedOrPseudonymised() async throws {
        try await withPrivacyAPI(encrypted: false) { api in
            try await api.seed()
            let before = api.head
            try expectProblem(try await api.send(.post, "/v1/subjects/c1/erase", Self.reason), status: .conflict, code: "encryption-disabled")
            try expectProblem(try await api.get("/v1/audit/export?pseudonymise=true&purpose=x", as: "auditor"),
                              status: .conflict, code: "encryption-disabled")
            #expect(api.head == before)
        }
    }

    @Test func integratorsCannotHoldTheErasePermission() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            #expect(throws: TokenStoreError.self) { try tokens.create(user: "sync", role: .integrator, scopes: [.subjectsErase]) }
            #expect(Role.integrator.permissions(scopes: [.subjectsErase, .logRead]) == [.logRead])
            #expect(Role.admin.permissions().contains(.subjectsErase))
            for role in [Role.manager, .agent, .auditor] { #expect(!role.permissions().contains(.subjectsErase)) }
        }
    }

    /// An erasure on the key ring that the log does not record (a crash between destroying the
    /// keys and appending, or a restored backup) is recorded when the application starts.
    @Test func startRecordsErasuresMissingFromTheLog() async throws {
        try await withStore { store, directory in
            let master = directory + "-master.key"
            defer {
                try? FileManager.default.removeItem(atPath: master)
                try? FileManager.default.removeItem(atPath: master + ".erasures")
            }
            let keyRing = try SubjectKeyRing(dataDirectory: directory, masterKeyPath: master, createMasterKey: true)
            let handler = CommandHandler(store: store, registry: EventRegistry.domain.protecting(with: keyRing))
            let metadata = AppendMetadata(actor: Actor(id: "mgr-1", role: "manager"), source: .local(tool: "tests"))
            _ = try await CustomerService(handler: handler).register(
                RegisterCustomer(customerId: "c1", kind: .person, name: PrivacyAPI.name, email: PrivacyAPI.email, channel: .webForm),
                context: DecisionContext(now: Date()), metadata: metadata)
            #expect(try keyRing.erase("customer:c1", at: may1st))  // the keys only: no event
            let tokens = try testTokens(store)
            let app = buildApplication(store: store, tokens: tokens, keyRing: keyRing, logger: quietLogger)
            try await app.test(.router) { _ in
                var recorded: RecordedEvent?
                for _ in 0..<2400 where recorded == nil {
                    recorded = try store.readStream("customer-c1").first { $0.type == SubjectErased.eventType }
                    if recorded == nil { try await Task.sleep(for: .milliseconds(50)) }
                }
                let event = try #require(recorded, "the start-up reconciliation recorded the erasure")
                #expect(event.actor == .system)
                #expect(event.reason == ErasureReconciliationService.reason)
                let erased = try #require(try EventRegistry.domain.decode(event) as? SubjectErased)
                #expect(erased.subject == "customer:c1")
                #expect(erased.reapplied)
                #expect(try store.verify().isIntact)
            }
        }
    }
}
