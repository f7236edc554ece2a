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

/// `AccessRecorder` and `GET /v1/audit/access`: reads of personal data as events, and their list.
@Suite("Access log")
struct AccessLogTests {
    /// A stand-in for the customer 360 route: records every read the way the real route does
    /// (`AccessRecorder.purpose`, required from auditors, then `record`), then answers.
    static func customerRouter(store: EventStore, tokens: TokenStore) -> Router<CRMRequestContext> {
        let router = Router(context: CRMRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AuthenticationMiddleware(tokens: tokens))
        router.get("/v1/customers/{id}") { request, context -> String in
            let id = try context.parameters.require("id")
            let purpose = try AccessRecorder.purpose(request, principal: context.principal)
            try await AccessRecorder(store: store).record(
                DataAccessed(route: "GET /v1/customers/{id}", subject: id, fields: ["profile", "contacts"], purpose: purpose),
                context: context)
            return "customer \(id)"
        }
        return router
    }

    @Test func everyRolesReadsAreRecordedAuditorsWithAPurpose() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            let tokens = try testTokens(store)
            let roles = try AuditRoleTokens(tokens)
            let app = Application(router: Self.customerRouter(store: store, tokens: tokens), logger: quietLogger)
            try await app.test(.router) { client in
                for token in [roles.admin, roles.manager, roles.agent] {
                    #expect(try await client.execute(uri: "/v1/customers/C1", method: .get, headers: auditBearer(token)).status == .ok)
                }
                #expect(try store.head().position == 3)
                // An auditor without a purpose is refused and records nothing.
                let unexplained = try await client.execute(uri: "/v1/customers/C1", method: .get, headers: auditBearer(roles.auditor))
                try expectProblemWithoutPosition(unexplained, status: .badRequest, code: "invalid-parameter")
                #expect(try store.head().position == 3)
                let response = try await client.execute(uri: "/v1/customers/C1?purpose=dispute%20review", method: .get,
                                                        headers: auditBearer(roles.auditor, [.userAgent: "auditor-ui/1"]))
                #expect(response.text == "customer C1")
                // A bad purpose answers 400 and records nothing.
                let refused = try await client.execute(uri: "/v1/customers/C1?purpose=%20", method: .get, headers: auditBearer(roles.auditor))
                try expectProblemWithoutPosition(refused, status: .badRequest, code: "invalid-parameter")
            }
            #expect(try store.head().position == 4)
            let access = try #require(try store.event(at: 4))
            #expect(access.stream == DataAccessed.stream)
            #expect(access.type == DataAccessed.eventType)
            #expect(access.actor == Actor(id: "aud", role: "auditor"))
            #expect(access.source.userAgent == "auditor-ui/1")
            #expect(access.recordedAt == may1st)
            #expect(try access.decode(DataAccessed.self) == DataAccessed(
                route: "GET /v1/customers/{id}", subject: "C1", fields: ["profile", "contacts"], purpose: "dispute review"))
            // The data is stable JSON with explicit nulls.
            #expect(String(decoding: access.data, as: UTF8.self)
                    == #"{"fields":["profile","contacts"],"filters":{},"omittedSubjects":0,"purpose":"dispute review","route":"GET /v1/customers/{id}","subject":"C1","subjects":[]}"#)
            #expect(access.schemaVersion == DataAccessed.schemaVersion)
        }
    }

    @Test func purposeIsRequiredOnlyFromAuditors() {
        for role in Role.allCases {
            let principal = Principal(tokenId: "t", user: "u", role: role, permissions: role.permissions())
            #expect(AccessRecorder.purposeRequired(for: principal) == (role == .auditor))
        }
        #expect(!AccessRecorder.purposeRequired(for: nil))
    }

    /// Access events listed by subject, actor and window, paged by stream version; other streams
    /// are never listed.
    @Test func listingFiltersAndPages() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)  // positions 1…5, May 1–5
            let tokens = try testTokens(store)
            let roles = try AuditRoleTokens(tokens)
            let second = try tokens.create(user: "aud-2", role: .auditor).bearer
            // Four accesses, a day apart from May 10: aud C1, aud C2, aud-2 C1, aud C1.
            let app = Application(router: Self.customerRouter(store: store, tokens: tokens), logger: quietLogger)
            try await app.test(.router) { client in
                let reads: [(String, String)] = [(roles.auditor, "C1"), (roles.auditor, "C2"), (second, "C1"), (roles.auditor, "C1")]
                for index in reads.indices {
                    clock.set(may1st + Int64(9 + index) * day)
                    let response = try await client.execute(uri: "/v1/customers/\(reads[index].1)?purpose=review", method: .get,
                                                            headers: auditBearer(reads[index].0))
                    #expect(response.status == .ok)
                }
            }
            let api = buildApplication(store: store, tokens: tokens, logger: quietLogger)
            try await api.test(.router) { client in
                func positions(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ([UInt64], Any?) {
                    let response = try await client.execute(uri: "/v1/audit/access?\(query)", method: .get, headers: auditBearer(roles.auditor))
                    #expect(response.status == .ok, sourceLocation: sourceLocation)
                    #expect(response.logPosition == "9", sourceLocation: sourceLocation)
                    return (response.events.positions, response.object["next"])
                }
                #expect(try await positions("").0 == [6, 7, 8, 9])
                #expect(try await positions("subject=C1").0 == [6, 8, 9])
                #expect(try await positions("subject=C1&actor=aud").0 == [6, 9])
                #expect(try await positions("actor=aud-2").0 == [8])
                #expect(try await positions("since=2024-05-11&until=2024-05-13").0 == [7, 8])
                #expect(try await positions("subject=C3").0 == [])
                let (first, next) = try await positions("subject=C1&limit=2")
                #expect(first == [6, 8])
                #expect(next as? Int == 4)
                let (rest, end) = try await positions("subject=C1&limit=2&from=4")
                #expect(rest == [9])
                #expect(end is NSNull)
                for (query, parameter) in [("since=never", "since"), ("subject=", "subject"), ("from=-3", "from"), ("limit=0", "limit"),
                                           ("since=2024-05-12&until=2024-05-11", "until")] {
                    let response = try await client.execute(uri: "/v1/audit/access?\(query)", method: .get, headers: auditBearer(roles.auditor))
                    let problem = try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                    #expect(problem["parameter"] as? String == parameter)
                }
                for token in [roles.manager, roles.agent] {
                    let response = try await client.execute(uri: "/v1/audit/access", method: .get, headers: auditBearer(token))
                    let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                    #expect(problem["permission"] as? String == "audit.read")
                }
            }
        }
    }

    /// Access events are not domain events: every standard projector passes over them without
    /// parking (they filter by type, or, like the audit index, read only the envelope), and the
    /// domain events around them are projected as usual.
    @Test func projectorsTolerateAccessEvents() async throws {
        try await withStore { store, directory in
            let metadata = AppendMetadata(actor: Actor(id: "mgr-01", role: "manager"), source: Source(clientAddress: "192.0.2.1", userAgent: "t", host: "h"))
            let access = try ProposedEvent(type: DataAccessed.eventType, encoding: DataAccessed(route: "GET /v1/customers/{id}", subject: "C1"))
            try await store.append(DataAccessed.stream, [access], expected: .any, metadata: metadata)
            let now = Date(timeIntervalSince1970: 1_767_225_600)
            try await CustomerService(handler: CommandHandler(store: store)).register(
                RegisterCustomer(customerId: "C1", kind: .person, name: "Ana Ruiz", email: "ana@ruiz.example", channel: .webForm),
                context: DecisionContext(now: now), metadata: metadata)
            try await store.append(DataAccessed.stream, [ProposedEvent(type: DataAccessed.eventType, data: access.data)],
                                   expected: .any, metadata: metadata)
            let head = try store.head().position
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
            try engine.catchUp()
            for status in engine.status() {
                #expect(status.state != .parked, "\(status.name)")
            }
            #expect(try engine.read("customer360") { try Customer360.query($0, customerId: "C1") }?.name == "Ana Ruiz")
            let indexed = try engine.read("audit") { reader in
                try AuditQuery(record: DataAccessed.stream).positions(in: reader) { try store.event(at: $0) }.positions
            }
            #expect(indexed == [1, head])
        }
    }
}
