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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One server-sent event as a client parses it.
struct ParsedServerSentEvent: Equatable {
    var id: String?
    var event: String?
    var data: String
}

/// Parses a `text/event-stream` body: events are separated by blank lines; comment lines (`:`)
/// and `retry` are left out.
func parseServerSentEvents(_ text: String) -> (events: [ParsedServerSentEvent], comments: [String]) {
    var events: [ParsedServerSentEvent] = []
    var comments: [String] = []
    for block in text.components(separatedBy: "\n\n") where !block.isEmpty {
        var event = ParsedServerSentEvent(id: nil, event: nil, data: "")
        var isEvent = false
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") { comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces)); continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon]
            var value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            switch field {
            case "id": event.id = String(value); isEvent = true
            case "event": event.event = String(value); isEvent = true
            case "data": event.data += event.data.isEmpty ? String(value) : "\n" + value; isEvent = true
            default: break
            }
        }
        if isEvent { events.append(event) }
    }
    return (events, comments)
}

/// The API over `store` (with `projections` when given) and one token per role: the test client
/// sends no token unless the request sets `Authorization` (use `bearer(_:)`).
struct AuditRoleTokens: Sendable {
    let admin: String
    let auditor: String
    let manager: String
    let agent: String
    /// An integrator holding `feed.read`, `audit.read` and `audit.export`.
    let integrator: String
    /// An integrator holding only `log.read`.
    let integratorWithoutScopes: String

    init(_ tokens: TokenStore) throws {
        admin = try tokens.create(user: "root", role: .admin).bearer
        auditor = try tokens.create(user: "aud", role: .auditor).bearer
        manager = try tokens.create(user: "mgr-01", role: .manager).bearer
        agent = try tokens.create(user: "agt-01", role: .agent).bearer
        integrator = try tokens.create(user: "svc", role: .integrator, scopes: [.feedRead, .auditRead, .auditExport]).bearer
        integratorWithoutScopes = try tokens.create(user: "svc-log", role: .integrator, scopes: [.logRead]).bearer
    }
}

/// `Authorization: Bearer <token>` plus any other fields.
func auditBearer(_ token: String, _ more: HTTPFields = [:]) -> HTTPFields {
    var fields = more
    fields[.authorization] = "Bearer \(token)"
    return fields
}

/// The whole application over `store` in router mode, with a token per role.
func withAuditRoleAPI(_ store: EventStore, projections: ProjectionEngine? = nil,
                 _ test: @Sendable (any TestClientProtocol, AuditRoleTokens) async throws -> Void) async throws {
    let tokens = try testTokens(store)
    let roles = try AuditRoleTokens(tokens)
    let app = buildApplication(store: store, tokens: tokens, projections: projections, logger: quietLogger)
    try await app.test(.router) { client in try await test(client, roles) }
}

/// Appends `count` events to `stream` (in one append), recorded at the store clock's time.
@discardableResult
func appendAuditEvents(_ store: EventStore, stream: String, type: String = "NoteAdded", count: Int, actor: String = "alice",
                  clientAddress: String = "198.51.100.4", userAgent: String = "tests/1.0", reason: String? = nil) async throws -> AppendResult {
    let events = (0..<count).map { index in ProposedEvent(type: type, data: Array(#"{"n":\#(index)}"#.utf8)) }
    return try await store.append(stream, events, expected: .any, metadata: AppendMetadata(
        actor: Actor(id: actor, role: "manager"),
        source: Source(clientAddress: clientAddress, userAgent: userAgent, host: "test-host"), reason: reason))
}

/// A plain TCP client for a live server, reading a streamed response as it arrives (the test
/// clients of HummingbirdTesting return a response only once its body is complete).
final class SSEConnection: @unchecked Sendable {
    // Safe to share: `socket` is set once in init; `received` is only touched by `read(until:)`,
    // which a test calls from one task at a time, and by `close()` after the last read.
    private let socket: Int32
    private var received: [UInt8] = []

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { Glibc.close(socket); throw POSIXError(.ECONNREFUSED) }
    }

    /// Sends a GET request for `path` with `headers`.
    func get(_ path: String, headers: [String: String]) {
        var request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
    }

    /// Reads until the text received so far contains `marker` (returned whole), or the peer
    /// closes or 10 s pass without data (returns what arrived; the caller's expectation fails).
    func read(until marker: String) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while !String(decoding: self.received, as: UTF8.self).contains(marker) {
                    let count = recv(self.socket, &buffer, buffer.count, 0)
                    if count <= 0 { break }
                    self.received.append(contentsOf: buffer[0..<count])
                }
                continuation.resume(returning: String(decoding: self.received, as: UTF8.self))
            }
        }
    }

    /// Reads until the server closes the connection or 10 s pass; true when it closed.
    func readUntilClosed() async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = recv(self.socket, &buffer, buffer.count, 0)
                    if count == 0 { continuation.resume(returning: true); return }
                    if count < 0 { continuation.resume(returning: false); return }
                    self.received.append(contentsOf: buffer[0..<count])
                }
            }
        }
    }

    func close() {
        Glibc.close(socket)
    }
}

/// `expectProblem` for a router without `LogPositionMiddleware` (no `X-Log-Position`).
func expectProblemWithoutPosition(_ response: TestResponse, status: HTTPResponse.Status, code: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    #expect(response.object["code"] as? String == code, sourceLocation: sourceLocation)
}

/// A response body that keeps what is written to it, readable while the writer is still in use.
struct CollectingBodyWriter: ResponseBodyWriter {
    private let bytes = SharedBytes()

    /// Everything written so far, as UTF-8 text.
    var text: String { bytes.value.withLock { String(decoding: $0, as: UTF8.self) } }

    mutating func write(_ buffer: ByteBuffer) async throws {
        bytes.value.withLock { $0 += buffer.readableBytesView }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}

    /// A reference, so copies of the writer (it is passed `inout` as an existential) share it.
    private final class SharedBytes: Sendable {
        let value = Mutex<[UInt8]>([])
    }
}
