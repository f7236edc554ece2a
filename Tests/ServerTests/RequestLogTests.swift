import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Server
import Synchronization
import Testing

/// The one-line-per-request log and `X-Request-ID`.
@Suite("Request log")
struct RequestLogTests {
    @Test func oneLinePerRequestWithIdPrincipalRouteStatusDurationAndBytes() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            let lines = CapturedLog()
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "test-admin", role: .admin).bearer
            let app = buildApplication(store: store, tokens: tokens, logger: lines.logger)
            try await app.test(.router) { client in
                let sentID = try await client.execute(uri: "/v1/events/2", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                    #expect(response.status == .ok)
                    let id = try #require(response.headers[.requestID])
                    #expect(UUID(uuidString: id) != nil)
                    return (id, response.body.readableBytes)
                }
                try await client.execute(uri: "/v1/events", method: .get, headers: [.requestID: "trace-42.a_b:c"]) { response in
                    _ = try expectProblem(response, status: .unauthorized, code: "unauthenticated")
                    #expect(response.headers[.requestID] == "trace-42.a_b:c")
                }
                try await client.execute(uri: "/nowhere", method: .get, headers: [.authorization: "Bearer \(admin)", .requestID: "bad id"]) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.requestID].flatMap(UUID.init(uuidString:)) != nil)
                }

                let requests = lines.records.filter { $0.message == "request" }
                #expect(requests.count == 3)
                let first = try #require(requests.first)
                #expect(first.level == .info)
                #expect(first.metadata["request_id"] == sentID.0)
                #expect(first.metadata["principal"] == "test-admin/admin")
                #expect(first.metadata["method"] == "GET")
                #expect(first.metadata["route"] == "/v1/events/{position}")
                #expect(first.metadata["status"] == "200")
                #expect(first.metadata["bytes"] == String(sentID.1))
                #expect(Double(first.metadata["duration_ms"] ?? "") != nil)
                #expect(requests[1].metadata["principal"] == "-")
                #expect(requests[1].metadata["status"] == "401")
                #expect(requests[1].metadata["route"] == "/v1/events")
                #expect(requests[1].metadata["request_id"] == "trace-42.a_b:c")
                #expect(requests[2].metadata["route"] == "unmatched")
                #expect(requests[2].metadata["status"] == "404")
            }
        }
    }

    @Test func serverErrorsAreLoggedAtErrorLevel() {
        let lines = CapturedLog()
        let endpoint = EndpointPath()
        endpoint.value = "/v1/stats"
        let finish = RequestLogMiddleware.Finish(metrics: ServerMetrics(), logger: lines.logger, method: "GET", note: RequestNote(),
                                                 endpoint: endpoint, start: ContinuousClock().now)
        finish.log(status: 503, bytes: 120)
        finish.log(status: 404, bytes: 80)
        #expect(lines.records.map(\.level) == [.error, .info])
        #expect(lines.records.first?.metadata["route"] == "/v1/stats")
    }

    @Test func requestIDsAreValidatedBeforeTheyReachTheLog() {
        #expect(RequestID.isValid("abc-123"))
        #expect(RequestID.isValid(String(repeating: "a", count: 128)))
        #expect(!RequestID.isValid(String(repeating: "a", count: 129)))
        #expect(!RequestID.isValid(""))
        #expect(!RequestID.isValid("a b"))
        #expect(!RequestID.isValid("a\"b"))
        #expect(RequestID.resolve("ok-1") == "ok-1")
        #expect(RequestID.resolve("not ok") != "not ok")
    }

    @Test func freshRequestIDsAreDistinctLowercaseUUIDs() {
        let ids = (0..<10_000).map { _ in RequestID.fresh() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { UUID(uuidString: $0) != nil && $0 == $0.lowercased() && RequestID.isValid($0) })
    }

    @Test func durationsAreLoggedInMillisecondsWithThreeDecimals() {
        typealias Finish = RequestLogMiddleware.Finish
        #expect(Finish.milliseconds(0) == "0.000")
        #expect(Finish.milliseconds(7) == "0.007")
        #expect(Finish.milliseconds(12_345) == "12.345")
        #expect(Finish.milliseconds(1_000_000) == "1000.000")
        #expect(Finish.milliseconds(999_999) == "999.999")
    }
}

/// A logger whose records the test can read.
final class CapturedLog: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let state = Mutex<[Record]>([])

    var records: [Record] { state.withLock { $0 } }

    var logger: Logger {
        Logger(label: "crm.tests.captured") { _ in Handler(log: self) }
    }

    fileprivate func append(_ record: Record) { state.withLock { $0.append(record) } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append(Record(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
