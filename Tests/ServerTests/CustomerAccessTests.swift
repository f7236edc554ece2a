import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import Server
import Testing

/// The customer 360 route records an auditor's read of a person's data in `system-access`, and
/// nobody else's.
@Suite("Customer 360 access audit")
struct CustomerAccessTests {
    @Test func auditorReadsOfTheCustomer360AreRecorded() async throws {
        try await withQueryCompany(customers: 8) { company in
            let customers = try await company.all("/v1/customers", limit: 100)
            let id = try #require(customers.strings("customerId").first)
            let before = try company.store.head().position
            for role in ["admin", "manager", "integrator"] {
                _ = try await company.get("/v1/customers/\(id)", as: role)
            }
            #expect(try company.store.head().position == before, "only auditors' reads are recorded")

            let read = try await company.get("/v1/customers/\(id)?purpose=GDPR%20request%2017", as: "auditor")
            #expect(read.status == .ok)
            let head = try company.store.head().position
            #expect(head == before + 1)
            let access = try #require(try company.store.event(at: head))
            #expect(access.stream == DataAccessed.stream)
            #expect(access.actor == Actor(id: "test-auditor", role: "auditor"))
            let recorded = try access.decode(DataAccessed.self)
            #expect(recorded.subject == id)
            #expect(recorded.purpose == "GDPR request 17")
            #expect(recorded.route == "GET /v1/customers/{id}")

            // The access log answers "who saw this person's data".
            let log = try await company.object("/v1/audit/access?subject=\(id)", as: "auditor")
            let items = (log["items"] as? [[String: Any]]) ?? (log["events"] as? [[String: Any]]) ?? []
            #expect(items.count == 1, "\(log)")

            // A blank purpose is refused and records nothing.
            let refused = try await company.get("/v1/customers/\(id)?purpose=%20", as: "auditor")
            #expect(refused.status == .badRequest)
            #expect(try company.store.head().position == head)
        }
    }
}
