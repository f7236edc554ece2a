import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import Server
import Testing

/// The customer 360 route records every read of a person's data in `system-access`, whoever
/// reads it; auditors must say why.
@Suite("Customer 360 access audit")
struct CustomerAccessTests {
    @Test func everyReadOfTheCustomer360IsRecorded() async throws {
        try await withQueryCompany(customers: 8) { company in
            let customers = try await company.all("/v1/customers", limit: 100)
            let id = try #require(customers.strings("customerId").first)
            var head = try company.store.head().position
            for (role, user) in [("admin", "test-admin"), ("integrator", "crm-sync")] {
                #expect(try await company.get("/v1/customers/\(id)", as: role).status == .ok)
                head += 1
                #expect(try company.store.head().position == head, "\(role)'s read is recorded")
                let access = try #require(try company.store.event(at: head))
                #expect(access.actor.id == user)
                #expect(try access.decode(DataAccessed.self).subject == "customer:\(id)")
            }

            // An auditor must give a purpose; a missing or blank one is refused and records nothing.
            for uri in ["/v1/customers/\(id)", "/v1/customers/\(id)?purpose=%20"] {
                let refused = try await company.get(uri, as: "auditor")
                #expect(refused.status == .badRequest)
                #expect(try company.store.head().position == head)
            }
            let read = try await company.get("/v1/customers/\(id)?purpose=GDPR%20request%2017", as: "auditor")
            #expect(read.status == .ok)
            #expect(try company.store.head().position == head + 1)
            let access = try #require(try company.store.event(at: head + 1))
            #expect(access.stream == DataAccessed.stream)
            #expect(access.actor == Actor(id: "test-auditor", role: "auditor"))
            let recorded = try access.decode(DataAccessed.self)
            #expect(recorded.subject == "customer:\(id)")
            #expect(recorded.subjects.contains("customer:\(id)"))
            #expect(recorded.fields.contains("name"))
            #expect(recorded.purpose == "GDPR request 17")
            #expect(recorded.route == "GET /v1/customers/{id}")

            // The access log answers "who saw this person's data", under the bare id too: the
            // admin's list page that named it, then the three 360 reads.
            let log = try await company.object("/v1/audit/access?subject=\(id)", as: "auditor")
            let items = (log["events"] as? [[String: Any]]) ?? []
            #expect(items.count == 4, "\(log)")
        }
    }
}
