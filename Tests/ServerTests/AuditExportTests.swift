import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Projections
import Synchronization
@testable import Server
import Testing

/// `GET /v1/audit/export`: NDJSON and CSV, streamed over several pages, recorded as an access.
@Suite("Audit export")
struct AuditExportTests {
    static let awkwardAgent = #"Mozilla/5.0 (X11, "quoted"), v2"#
    static let awkwardReason = "line one,\n\"line two\"\r\nend"

    /// 2,500 events (the export reads 1,000 at a time): 1,200 by alice, 1,299 by bob, and one by
    /// carol whose user agent and reason hold commas, quotes and line breaks.
    static func fill(_ store: EventStore) async throws {
        for batch in 0..<6 {
            try await appendAuditEvents(store, stream: "customer-\(batch)", count: 200, actor: "alice")
        }
        for batch in 0..<3 {
            try await appendAuditEvents(store, stream: "case-\(batch)", type: "CaseNoted", count: 433, actor: "bob")
        }
        try await appendAuditEvents(store, stream: "customer-x", type: "ContactAdded", count: 1, actor: "carol",
                                    userAgent: awkwardAgent, reason: awkwardReason)
    }

    @Test func ndjsonHasEveryEventOncePerLine() async throws {
        try await withStore { store, _ in
            try await Self.fill(store)
            try await withAuditRoleAPI(store) { client, roles in
                let response = try await client.execute(uri: "/v1/audit/export?format=ndjson&purpose=line%20check", method: .get, headers: auditBearer(roles.auditor))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-ndjson")
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"audit-2500.ndjson\"")
                #expect(response.logPosition == "2500")
                let lines = response.text.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.last == "")
                let objects = try lines.dropLast().map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
                #expect(objects.count == 2500)
                #expect(objects.positions == Array(1...2500))
                // Each line is the event exactly as the log route gives it.
                let single = try await client.execute(uri: "/v1/events/2500", method: .get, headers: auditBearer(roles.admin))
                #expect(String(lines[2499]) == single.text)
            }
        }
    }

    @Test func csvQuotesAndCountsRows() async throws {
        try await withStore { store, _ in
            try await Self.fill(store)
            try await withAuditRoleAPI(store) { client, roles in
                let response = try await client.execute(uri: "/v1/audit/export?format=csv&purpose=annual%20review", method: .get,
                                                        headers: auditBearer(roles.auditor))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8; header=present")
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"audit-2500.csv\"")
                let rows = try CSVTestParser.parse(response.text)
                #expect(rows.first == AuditExportFormat.columns)
                #expect(rows.count == 2501)
                #expect(rows.dropFirst().map { $0.count }.allSatisfy { $0 == 13 })
                #expect(rows.dropFirst().map { UInt64($0[0]) ?? 0 } == Array(1...2500))
                let carol = try #require(rows.last)
                #expect(carol[5] == "carol")
                #expect(carol[8] == Self.awkwardAgent)
                #expect(carol[10] == Self.awkwardReason)
                let event = try #require(try store.event(at: 2500))
                #expect(carol[1] == RecordedEvent.iso8601(milliseconds: event.recordedAt))
                #expect(carol[2] == "customer-x")
                #expect(carol[11] == event.id.uuidString.lowercased())
                #expect(carol[12] == event.hash.description)
                // The quoting itself, byte for byte.
                #expect(response.text.contains(#","Mozilla/5.0 (X11, ""quoted""), v2","#))
                #expect(response.text.hasSuffix("\r\n"))
            }
        }
    }

    /// The export takes the query's filters; with the audit index, the answer is the same.
    @Test(arguments: [false, true])
    func filtersSelectTheSameRowsWithOrWithoutTheIndex(indexed: Bool) async throws {
        try await withStore { store, directory in
            try await Self.fill(store)
            let engine = indexed ? try ProjectionEngine(store: store, projectors: [AuditIndexProjector()], directory: directory + "/projections") : nil
            try engine?.catchUp()
            try await withAuditRoleAPI(store, projections: engine) { client, roles in
                let cases: [(String, Int)] = [("actor=bob", 1299), ("actor=alice&stream=customer-3", 200), ("type=ContactAdded", 1),
                                              ("clientAddress=198.51.100.4&type=CaseNoted", 1299), ("actor=nobody", 0)]
                for (query, count) in cases {
                    let response = try await client.execute(uri: "/v1/audit/export?format=csv&\(query)", method: .get,
                                                            headers: auditBearer(roles.integrator))
                    #expect(response.status == .ok, "\(query)")
                    #expect(try CSVTestParser.parse(response.text).count == count + 1, "\(query)")
                }
            }
        }
    }

    /// The export is itself recorded before any data is sent: who, which filters, why, from where.
    @Test func exportIsRecordedAsAnAccess() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            clock.set(may1st + 10 * day)
            try await withAuditRoleAPI(store) { client, roles in
                let response = try await client.execute(
                    uri: "/v1/audit/export?format=csv&actor=bob&since=2024-05-02&purpose=complaint%20%2342", method: .get,
                    headers: auditBearer(roles.auditor, [.userAgent: "audit-tool/3"]))
                #expect(response.status == .ok)
                // The export covers the log before its own access event.
                #expect(try CSVTestParser.parse(response.text).count == 3)
                let access = try #require(try store.event(at: 6))
                #expect(access.stream == "system-access")
                #expect(access.type == "DataAccessed")
                #expect(access.actor == Actor(id: "aud", role: "auditor"))
                #expect(access.source.clientAddress == "unknown")  // no socket in router tests
                #expect(access.source.userAgent == "audit-tool/3")
                let data = try access.decode(DataAccessed.self)
                #expect(data == DataAccessed(route: "GET /v1/audit/export", subject: nil,
                                             filters: ["actor": "bob", "since": "2024-05-02T00:00:00.000Z", "format": "csv"],
                                             fields: ["events"], purpose: "complaint #42"))
            }
        }
    }

    /// Refusals write nothing: a bad format or purpose is a 400, and roles without
    /// `audit.export` get 403 before any access is recorded.
    @Test func refusalsWriteNothing() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await withAuditRoleAPI(store) { client, roles in
                let long = String(repeating: "x", count: 501)
                for (query, parameter) in [("format=xml", "format"), ("purpose=%20%20", "purpose"), ("purpose=\(long)", "purpose"),
                                           ("since=2024-05-03&until=2024-05-02", "until"), ("actor=", "actor")] {
                    let response = try await client.execute(uri: "/v1/audit/export?\(query)", method: .get, headers: auditBearer(roles.auditor))
                    let problem = try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                    #expect(problem["parameter"] as? String == parameter, "\(query)")
                }
                for token in [roles.manager, roles.agent, roles.integratorWithoutScopes] {
                    let response = try await client.execute(uri: "/v1/audit/export", method: .get, headers: auditBearer(token))
                    let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                    #expect(problem["permission"] as? String == "audit.export")
                }
                let anonymous = try await client.execute(uri: "/v1/audit/export", method: .get)
                try expectProblem(anonymous, status: .unauthorized, code: "unauthenticated")
            }
            #expect(try store.head().position == 5)
        }
    }

    /// The export is written page by page (1,000 events per write), never assembled whole.
    @Test func exportIsWrittenPageByPage() async throws {
        try await withStore { store, _ in
            try await Self.fill(store)
            let tokens = try testTokens(store)
            let auditor = try tokens.create(user: "aud", role: .auditor).bearer
            let writes = WriteCounter()
            let router = Router(context: CRMRequestContext.self)
            router.add(middleware: ProblemMiddleware())
            router.add(middleware: AuthenticationMiddleware(tokens: tokens))
            router.add(middleware: writes)
            AuditRoutes(dependencies: APIDependencies(store: store, tokens: tokens, projections: nil, configuration: ServerConfiguration()))
                .add(to: router)
            let app = Application(router: router, logger: quietLogger)
            try await app.test(.router) { client in
                let ndjson = try await client.execute(uri: "/v1/audit/export?purpose=paging", method: .get, headers: auditBearer(auditor))
                #expect(ndjson.text.split(separator: "\n").count == 2500)
                #expect(writes.sizes.count == 3)
                #expect(writes.sizes.max() ?? 0 < ndjson.body.readableBytes / 2)
                writes.reset()
                let csv = try await client.execute(uri: "/v1/audit/export?format=csv&purpose=paging", method: .get, headers: auditBearer(auditor))
                // The first export's own access event (position 2501) is in the second one.
                #expect(try CSVTestParser.parse(csv.text).count == 2502)
                #expect(writes.sizes.count == 4)  // the header row, then three pages
            }
        }
    }

    @Test func csvFieldQuoting() {
        #expect(String(decoding: CSVRow.encode(["a", "b c", ""]), as: UTF8.self) == "a,b c,\r\n")
        #expect(String(decoding: CSVRow.encode(["x,y", "say \"hi\"", "two\nlines", "cr\r", " padded"]), as: UTF8.self)
                == "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\" padded\"\r\n")
        #expect(String(decoding: CSVRow.encode(["=1+1", "-2", "é"]), as: UTF8.self) == "=1+1,-2,é\r\n")
    }
}

/// A strict RFC 4180 reader for the tests: CRLF record ends, quoted fields with doubled quotes.
enum CSVTestParser {
    struct Malformed: Error {}

    static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if bytes.first == UInt8(ascii: "\"") { field.append(byte); bytes = bytes.dropFirst() } else { quoted = false }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard field.isEmpty else { throw Malformed() }
                quoted = true
            case UInt8(ascii: ","):
                row.append(String(decoding: field, as: UTF8.self))
                field = []
            case UInt8(ascii: "\r"):
                guard bytes.popFirst() == UInt8(ascii: "\n") else { throw Malformed() }
                row.append(String(decoding: field, as: UTF8.self))
                rows.append(row)
                row = []
                field = []
            case UInt8(ascii: "\n"):
                throw Malformed()  // a bare LF outside quotes
            default:
                field.append(byte)
            }
        }
        guard !quoted, row.isEmpty, field.isEmpty else { throw Malformed() }
        return rows
    }
}

/// Counts the buffers a response body is written in.
final class WriteCounter: RouterMiddleware, Sendable {
    typealias Context = CRMRequestContext
    private let written = Mutex<[Int]>([])

    var sizes: [Int] { written.withLock { $0 } }

    func reset() { written.withLock { $0 = [] } }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.body = response.body.map { buffer in
            self.written.withLock { $0.append(buffer.readableBytes) }
            return buffer
        }
        return response
    }
}
