import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Server
import Synchronization
import Testing

/// A clock the tests move by hand, so recorded times are known.
final class TestClock: Sendable {
    private let now: Mutex<Int64>

    init(_ start: Int64) {
        now = Mutex(start)
    }

    var milliseconds: Int64 { now.withLock { $0 } }

    func set(_ value: Int64) {
        now.withLock { $0 = value }
    }
}

/// 2024-05-01T09:30:00.000Z
let may1st: Int64 = 1_714_555_800_000
let hour: Int64 = 3_600_000
let day: Int64 = 24 * hour

/// A fresh data directory, removed when `body` ends (however it ends).
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-server-tests-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try await body(directory)
}

/// A new store in a temporary directory, closed and removed after `body`.
func withStore<T>(
    clock: TestClock = TestClock(may1st), key: HMACKey? = nil, _ body: (EventStore, String) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { directory in
        let store = try EventStore(directory: directory, configuration: .init(
            checkpointKey: key, clock: { clock.milliseconds }, logger: quietLogger))
        defer { store.close() }
        return try await body(store, directory)
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "crm.tests")
    logger.logLevel = .critical
    return logger
}()

/// The API over `store`, exercised through the router without a socket, as an admin: every
/// request carries an admin token (unless it sets `Authorization` itself).
func testAPI(_ store: EventStore, _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    let tokens = try testTokens(store)
    let admin = try tokens.create(user: "test-admin", role: .admin).bearer
    let app = buildApplication(store: store, tokens: tokens, logger: quietLogger)
    try await app.test(.router) { client in try await test(AuthorizedClient(base: client, bearer: admin)) }
}

/// The token store beside the log of `store` (`<data>/tokens`), as `crm serve` opens it.
func testTokens(_ store: EventStore, clock: TestClock? = nil) throws -> TokenStore {
    if let clock { return try TokenStore(directory: store.directory + "/tokens", clock: { clock.milliseconds }) }
    return try TokenStore(directory: store.directory + "/tokens")
}

/// A test client that sends `Authorization: Bearer <bearer>` on every request that has none.
struct AuthorizedClient: TestClientProtocol {
    let base: any TestClientProtocol
    let bearer: String

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if headers[.authorization] == nil { headers[.authorization] = "Bearer \(bearer)" }
        return try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    var port: Int? { base.port }
}

/// Five events in four streams by three actors, a day apart from 2024-05-01T09:30Z:
///
/// | position | stream     | type                | actor | recorded     |
/// | 1        | customer-1 | CustomerRegistered  | alice | May 1 09:30  |
/// | 2        | customer-1 | ContactAdded        | alice | May 2 09:30  |
/// | 3        | customer-2 | CustomerRegistered  | bob   | May 3 09:30  |
/// | 4        | customer-1 | InteractionLogged   | bob   | May 4 09:30  |
/// | 5        | case-1     | CaseOpened          | carol | May 5 09:30  |
func seed(_ store: EventStore, clock: TestClock) async throws {
    let rows: [(String, String, String, String?)] = [
        ("customer-1", "CustomerRegistered", "alice", nil),
        ("customer-1", "ContactAdded", "alice", nil),
        ("customer-2", "CustomerRegistered", "bob", nil),
        ("customer-1", "InteractionLogged", "bob", "quarterly \"review\"\ncall"),
        ("case-1", "CaseOpened", "carol", nil),
    ]
    for (index, (stream, type, actor, reason)) in rows.enumerated() {
        clock.set(may1st + Int64(index) * day)
        let data = Array("{ \"n\" : \(index + 1), \"stream\": \"\(stream)\",\n \"tags\": [1, 2.50, true, null] }".utf8)
        try await store.append(
            stream, [ProposedEvent(type: type, data: data)], expected: .any,
            metadata: AppendMetadata(actor: Actor(id: actor, role: "manager"),
                                     source: Source(clientAddress: "203.0.113.7", userAgent: "tests/1.0", host: "test-host"),
                                     reason: reason))
    }
}

extension TestResponse {
    /// The body parsed as a JSON object (empty, with an issue recorded, when it is not one).
    var object: [String: Any] {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            Issue.record("the body is not a JSON object: \(text)")
            return [:]
        }
        return parsed
    }

    /// The body as text.
    var text: String { String(buffer: body) }

    var logPosition: String? { headers[HTTPField.Name("X-Log-Position")!] }

    /// The `events` array of a page, parsed (empty, with an issue recorded, when missing).
    var events: [[String: Any]] {
        guard let events = object["events"] as? [[String: Any]] else {
            Issue.record("the body has no events array: \(text)")
            return []
        }
        return events
    }
}

extension Array where Element == [String: Any] {
    var positions: [UInt64] { compactMap { ($0["position"] as? NSNumber)?.uint64Value } }
    var streamVersions: [UInt64] { compactMap { ($0["streamVersion"] as? NSNumber)?.uint64Value } }
}

/// Checks that a response is a problem document with `code` and `status`, and returns it.
@discardableResult
func expectProblem(_ response: TestResponse, status: HTTPResponse.Status, code: String,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    #expect(response.logPosition != nil, sourceLocation: sourceLocation)
    let problem = response.object
    #expect(problem["code"] as? String == code, sourceLocation: sourceLocation)
    #expect((problem["status"] as? NSNumber)?.intValue == Int(status.code), sourceLocation: sourceLocation)
    #expect((problem["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect((problem["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    return problem
}
