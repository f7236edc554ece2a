import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Projections
@testable import Server
import Testing

/// A scripted day of a sales team, driven through a real socket: an admin sets up the team and
/// the sales process, a manager and an agent work their customers, an out-of-scope command is
/// refused, and at the end an auditor checks that the audit trail names every change with the
/// person who made it, the address they came from and the client they used, and nothing else.
@Suite("End to end: a sales team's day")
struct SalesDayEndToEndTests {
    struct Person {
        let user: String
        let role: Role
        let userAgent: String
    }

    static let admin = Person(user: "ops.admin", role: .admin, userAgent: "crm-admin/1.4")
    static let mia = Person(user: "mia.berg", role: .manager, userAgent: "crm-web/3.2 (Mia)")
    static let sam = Person(user: "sam.ito", role: .agent, userAgent: "crm-mobile/2.0 (Sam)")
    static let auditor = Person(user: "ina.audit", role: .auditor, userAgent: "audit-ui/1.0")

    @Test func everyChangeOfTheDayIsInTheAuditTrailWithItsActorAndAddress() async throws {
        try await withStore { store, directory in
            let tokens = try testTokens(store)
            var bearers: [String: String] = [:]
            for person in [Self.admin, Self.mia, Self.sam, Self.auditor] {
                bearers[person.user] = try tokens.create(user: person.user, role: person.role).bearer
            }
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
            let app = buildApplication(store: store, tokens: tokens, projections: engine,
                                       configuration: ServerConfiguration(port: 0), logger: quietLogger)
            let issued = bearers
            try await app.test(.live) { client in
                /// What each person changed: stream version answers, in order, by user.
                var changes: [String: [String]] = [:]
                var lastPosition: UInt64 = 0

                func send(_ person: Person, _ method: HTTPRequest.Method = .post, _ path: String, _ body: String = "",
                          expect status: HTTPResponse.Status = .ok, sourceLocation: SourceLocation = #_sourceLocation) async throws -> TestResponse {
                    var headers: HTTPFields = [.authorization: "Bearer \(issued[person.user] ?? "")", .userAgent: person.userAgent]
                    if !body.isEmpty { headers[.contentType] = "application/json" }
                    let response = try await client.executeRequest(uri: path, method: method, headers: headers,
                                                                   body: body.isEmpty ? nil : ByteBuffer(string: body))
                    #expect(response.status == status, "\(person.user) \(method) \(path): \(response.text)", sourceLocation: sourceLocation)
                    return response
                }
                func change(_ person: Person, _ path: String, _ body: String, expect status: HTTPResponse.Status = .ok,
                            sourceLocation: SourceLocation = #_sourceLocation) async throws {
                    let response = try await send(person, .post, path, body, expect: status, sourceLocation: sourceLocation)
                    let answer = response.object
                    for type in (answer["events"] as? [String]) ?? [] { changes[person.user, default: []].append(type) }
                    if let position = (answer["position"] as? NSNumber)?.uint64Value { lastPosition = max(lastPosition, position) }
                }

                // 08:00 the admin sets up the team and the sales process.
                try await change(Self.admin, "/v1/teams", #"{"teamId":"north","name":"North","region":"north"}"#, expect: .created)
                try await change(Self.admin, "/v1/teams/north/members", #"{"managerId":"mia.berg"}"#)
                try await change(Self.admin, "/v1/teams/north/members", #"{"managerId":"sam.ito"}"#)
                try await change(Self.admin, "/v1/sales-processes",
                                 #"{"processId":"std","name":"Standard","stages":[{"name":"Prospect","winProbability":10,"requiredFields":[]},{"name":"Proposal","winProbability":50,"requiredFields":["budget"]}],"allowsSkipping":false}"#,
                                 expect: .created)
                // 09:00 Mia registers two customers, one for herself and one for Sam.
                try await change(Self.mia, "/v1/customers",
                                 #"{"customerId":"c-100","kind":"organisation","name":"Nordlicht GmbH","organisation":"Nordlicht GmbH","email":"info@nordlicht.example","channel":"phone"}"#,
                                 expect: .created)
                try await change(Self.mia, "/v1/customers",
                                 #"{"customerId":"c-101","kind":"person","name":"Jo Park","email":"jo@park.example","channel":"webForm","managerId":"sam.ito"}"#,
                                 expect: .created)
                // 10:00 Mia calls Nordlicht and opens an opportunity.
                try await change(Self.mia, "/v1/customers/c-100/interactions",
                                 #"{"interactionId":"call-1","channel":"call","direction":"outbound","durationSeconds":600,"outcome":"interested"}"#)
                try await change(Self.mia, "/v1/opportunities",
                                 #"{"opportunityId":"o-100","customerId":"c-100","processId":"std","title":"Lighting retrofit","cycleKind":"newBusiness","amount":{"amount":"48000","currency":"EUR"},"expectedCloseDate":"2027-03-31T00:00:00.000Z","ownerId":"mia.berg","fields":{}}"#,
                                 expect: .created)
                try await change(Self.mia, "/v1/opportunities/o-100/fields", #"{"fields":{"budget":"approved"}}"#)
                try await change(Self.mia, "/v1/opportunities/o-100/stage", #"{"toStage":"Proposal"}"#)
                // 11:00 Sam handles his customer's complaint.
                try await change(Self.sam, "/v1/customers/c-101/interactions",
                                 #"{"interactionId":"mail-1","channel":"email","direction":"inbound","outcome":"complaint"}"#)
                try await change(Self.sam, "/v1/cases",
                                 #"{"caseId":"k-100","customerId":"c-101","channel":"email","category":"delivery","priority":"high","isComplaint":true,"subject":"Late delivery","description":"Parcel two weeks late"}"#,
                                 expect: .created)
                try await change(Self.sam, "/v1/cases/k-100/assignment", #"{"agentId":"sam.ito"}"#)
                try await change(Self.sam, "/v1/cases/k-100/first-response", "{}")
                try await change(Self.sam, "/v1/cases/k-100/resolve", #"{"resolution":"reshipped"}"#)
                // 12:00 Sam may not touch Mia's own customer: refused, nothing written.
                let headBefore = try store.head().position
                _ = try await send(Self.sam, .post, "/v1/customers/c-100/interactions",
                                   #"{"interactionId":"call-x","channel":"call","direction":"outbound","outcome":"reached"}"#, expect: .forbidden)
                #expect(try store.head().position == headBefore)
                // 16:00 Mia wins the deal and sees her pipeline reflect it at once (read-your-writes).
                try await change(Self.mia, "/v1/opportunities/o-100/win",
                                 #"{"amount":{"amount":"45000","currency":"EUR"},"productIds":["LED-RETRO"]}"#)
                let board = try await send(Self.mia, .get, "/v1/pipeline?minPosition=\(lastPosition)")
                #expect(UInt64(board.logPosition ?? "") ?? 0 >= lastPosition)
                #expect(!board.text.contains("o-100"), "a won opportunity is no longer on the board")

                // 17:00 the auditor reads the whole day's trail.
                var trail: [[String: Any]] = []
                var from: UInt64 = 1
                while true {
                    let page = try await send(Self.auditor, .get, "/v1/audit/events?from=\(from)&limit=7").object
                    trail += (page["events"] as? [[String: Any]]) ?? []
                    guard let next = (page["next"] as? NSNumber)?.uint64Value else { break }
                    from = next
                }
                let people = Dictionary(uniqueKeysWithValues: [Self.admin, Self.mia, Self.sam].map { ($0.user, $0) })
                var seen: [String: [String]] = [:]
                for event in trail {
                    let actor = event["actor"] as? [String: Any] ?? [:]
                    let source = event["source"] as? [String: Any] ?? [:]
                    let user = actor["id"] as? String ?? "?"
                    let person = try #require(people[user], "an event by \(user): \(event)")
                    #expect(actor["role"] as? String == person.role.rawValue)
                    #expect(source["clientAddress"] as? String == "127.0.0.1")
                    #expect(source["userAgent"] as? String == person.userAgent)
                    seen[user, default: []].append(event["type"] as? String ?? "?")
                }
                #expect(seen == changes, "the trail names exactly the day's changes, in order, by who made them")
                #expect(trail.count == changes.values.map(\.count).reduce(0, +))
                #expect(changes[Self.sam.user]?.contains("InteractionLogged") == true)

                // One actor's changes alone, and as a CSV export.
                let sams = try await send(Self.auditor, .get, "/v1/audit/events?actor=sam.ito").events
                #expect(sams.count == changes[Self.sam.user]?.count)
                let csv = try await send(Self.auditor, .get, "/v1/audit/export?format=csv&actor=mia.berg&purpose=daily%20review").text
                let rows = csv.split(whereSeparator: \.isNewline)
                #expect(rows.count == 1 + (changes[Self.mia.user]?.count ?? 0))
                #expect(rows.dropFirst().allSatisfy { $0.contains("mia.berg") && $0.contains("127.0.0.1") })
            }
        }
    }
}
