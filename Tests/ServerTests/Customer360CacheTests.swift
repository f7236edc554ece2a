import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Projections
@testable import Server
import Testing

/// The kept answers of `GET /v1/customers/{id}` (`Customer360Cache`): a repeated read answers as
/// a fresh one would — a new event for the customer, an erasure, another caller's scope and
/// `asOf` are never answered from a stale entry — and every read is still recorded.
@Suite("Customer 360 cache")
struct Customer360CacheTests {
    /// The body without its top-level position.
    static func withoutPosition(_ response: TestResponse) -> [UInt8] {
        var body = Array(response.body.readableBytesView)
        if let range = QueryAnswer.topLevelPosition(in: body) { body.removeSubrange(range) }
        return body
    }

    @Test func aRepeatedReadAnswersLikeAFreshOneAndIsRecordedEveryTime() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            try await api.settle()
            let first = try await api.expect(.ok, .get, "/v1/customers/c1")
            let second = try await api.expect(.ok, .get, "/v1/customers/c1")
            #expect(Self.withoutPosition(first) == Self.withoutPosition(second))
            #expect(first.headers[.eTag] == second.headers[.eTag])
            // The position in the body is the one the answer names, for the kept answer too.
            for response in [first, second] {
                let position = try #require(response.logPosition.flatMap(UInt64.init))
                #expect(response.object["position"] as? Int == Int(position))
                #expect(QueryAnswer(position: position, body: Array(response.body.readableBytesView)).entityTag == response.headers[.eTag])
            }
            // The kept answer equals the one built from an as-of snapshot (never cached) at its position.
            let position = try #require(second.logPosition)
            let rebuilt = try await api.expect(.ok, .get, "/v1/customers/c1?asOf=\(position)")
            #expect(Array(rebuilt.body.readableBytesView) == Array(second.body.readableBytesView))
            #expect(rebuilt.headers[.eTag] == second.headers[.eTag])
            // 304 from a kept answer too.
            let tag = try #require(second.headers[.eTag])
            let revalidated = try await api.send(.get, "/v1/customers/c1", headers: [.ifNoneMatch: tag])
            #expect(revalidated.status == .notModified)
            // Every read, kept or not, appended its access event.
            let accesses = try api.accesses()
            #expect(accesses.count == 4)
            #expect(accesses.allSatisfy { $0.access.subject == "customer:c1" && $0.access.subjects == ["contact:ct1", "customer:c1"] })
            #expect(Set(accesses.map(\.access.fields)).count == 1, "the kept answer records the same fields")
        }
    }

    @Test func aNewEventForTheCustomerIsShownAtOnce() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            try await api.settle()
            let before = try await api.expect(.ok, .get, "/v1/customers/c1")
            _ = try await api.expect(.ok, .get, "/v1/customers/c1")
            let logged = try await api.expect(.ok, .post, "/v1/customers/c1/interactions",
                                              #"{"interactionId":"i2","channel":"email","direction":"outbound","outcome":"answered","subject":"Cache check 99"}"#)
            let position = try #require(logged.object["position"] as? Int)
            let after = try await api.expect(.ok, .get, "/v1/customers/c1?minPosition=\(position)")
            #expect(after.text.contains("Cache check 99"))
            #expect(after.headers[.eTag] != before.headers[.eTag])
            // Another customer's change leaves c1's kept answer as it was, and c2's answer shows it.
            let c1Again = try await api.expect(.ok, .get, "/v1/customers/c1")
            #expect(c1Again.headers[.eTag] == after.headers[.eTag])
            _ = try await api.expect(.ok, .get, "/v1/customers/c2")
            let tagged = try await api.expect(.ok, .post, "/v1/customers/c2/tags", #"{"tag":"vip","tagged":true}"#)
            let tagPosition = try #require(tagged.object["position"] as? Int)
            let c2 = try await api.expect(.ok, .get, "/v1/customers/c2?minPosition=\(tagPosition)")
            #expect((c2.object["tags"] as? [String]) == ["vip"])
        }
    }

    @Test func anErasureIsShownAtOnceEvenBeforeTheReadModelAppliesIt() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            try await api.settle()
            let before = try await api.expect(.ok, .get, "/v1/customers/c1")
            #expect(before.text.contains(PrivacyAPI.email))
            _ = try await api.expect(.ok, .get, "/v1/customers/c1")
            try await api.expect(.ok, .post, "/v1/subjects/customer:c1/erase", #"{"reason":"cache test"}"#)
            // No wait for the projector: the key ring's tombstone already changes the answer.
            let after = try await api.expect(.ok, .get, "/v1/customers/c1")
            #expect(!after.text.contains(PrivacyAPI.email))
            #expect(!after.text.contains(PrivacyAPI.name))
            #expect(!after.text.contains(PrivacyAPI.contactName))
            #expect(after.object["name"] as? String == PersonalDataProtection.erasedMarker)
            // c2 was not erased and still reads in the clear.
            #expect(try await api.expect(.ok, .get, "/v1/customers/c2").text.contains("carl.other@example.org"))
        }
    }

    @Test func anotherCallersScopeIsCheckedOnAKeptAnswer() async throws {
        try await withQueryCompany(customers: 20) { company in
            let everyone = try await company.all("/v1/customers", limit: 100)
            let south = try #require(everyone.first { company.south.contains($0["managerId"] as? String ?? "") }?["customerId"] as? String)
            let north = try #require(everyone.first { company.north.contains($0["managerId"] as? String ?? "") }?["customerId"] as? String)
            // The admin's reads keep the answers; a north manager still cannot see the south customer.
            #expect(try await company.get("/v1/customers/\(south)").status == .ok)
            #expect(try await company.get("/v1/customers/\(south)").status == .ok)
            #expect(try await company.get("/v1/customers/\(south)", as: "manager").status == .notFound)
            #expect(try await company.get("/v1/customers/\(north)").status == .ok)
            let admin = try await company.get("/v1/customers/\(north)")
            let manager = try await company.get("/v1/customers/\(north)", as: "manager")
            #expect(manager.status == .ok)
            #expect(Self.withoutPosition(manager) == Self.withoutPosition(admin), "roles see the same 360")
            // An unknown customer is not kept as anything.
            #expect(try await company.get("/v1/customers/no-such-customer").status == .notFound)
        }
    }

    @Test func asOfIsNeverAnsweredFromAKeptAnswer() async throws {
        try await withPrivacyAPI { api in
            try await api.seed()
            try await api.settle()
            let then = try await api.expect(.ok, .get, "/v1/customers/c2")
            let thenPosition = try #require(then.logPosition)
            let changed = try await api.expect(.ok, .post, "/v1/customers/c2/profile", #"{"fields":{"name":"Carl Renamed"}}"#)
            let position = try #require(changed.object["position"] as? Int)
            let now = try await api.expect(.ok, .get, "/v1/customers/c2?minPosition=\(position)")
            #expect(now.text.contains("Carl Renamed"))
            let past = try await api.expect(.ok, .get, "/v1/customers/c2?asOf=\(thenPosition)")
            #expect(!past.text.contains("Carl Renamed"))
            #expect(past.headers[.eTag] == then.headers[.eTag])
            // The as-of read left the live answer as it was.
            #expect(try await api.expect(.ok, .get, "/v1/customers/c2").text.contains("Carl Renamed"))
        }
    }

    @Test func theCacheIsBounded() throws {
        let cache = Customer360Cache(capacity: 2, byteBudget: 10_000)
        let body = Array(#"{"a":1,"position":7,"z":[]}"#.utf8)
        let entry = try #require(Customer360Cache.entry(body: body, source: ReadModelReadSet(), erasures: 0, managerId: nil,
                                                        personalData: PersonalDataRead()))
        #expect(entry.answer(at: 7).body == body)
        #expect(String(decoding: entry.answer(at: 12345).body, as: UTF8.self) == #"{"a":1,"position":12345,"z":[]}"#)
        #expect(entry.answer(at: 12345).entityTag == QueryAnswer(position: 7, body: body).entityTag)
        for id in ["a", "b", "c"] { cache.store(id, entry) }
        #expect(cache.count == 2)
        #expect(cache.entry("c") != nil)
        let small = Customer360Cache(capacity: 100, byteBudget: entry.byteCount * 2)
        for id in ["a", "b", "c", "d"] { small.store(id, entry) }
        #expect(small.count == 2)
        // A body without a top-level position is not kept.
        #expect(Customer360Cache.entry(body: Array(#"{"a":{"position":1}}"#.utf8), source: ReadModelReadSet(), erasures: 0,
                                       managerId: nil, personalData: PersonalDataRead()) == nil)
    }
}
