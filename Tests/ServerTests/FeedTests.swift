import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Server
import Testing

/// `GET /v1/feed`: server-sent events of the log, catch-up then live.
@Suite("Live feed")
struct FeedTests {
    /// Catch-up from a position: each event once, in order, framed as `id`/`event`/`data`, with
    /// exactly the JSON `/v1/events/{position}` gives.
    @Test func catchUpFromAPosition() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await withAuditRoleAPI(store) { client, roles in
                let response = try await client.execute(uri: "/v1/feed?from=2&through=5", method: .get, headers: auditBearer(roles.admin))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.logPosition == "5")
                #expect(response.text.hasPrefix("retry: 2000\n\n"))
                let events = parseServerSentEvents(response.text).events
                #expect(events.map(\.id) == ["2", "3", "4", "5"])
                #expect(events.map(\.event) == ["ContactAdded", "CustomerRegistered", "InteractionLogged", "CaseOpened"])
                for event in events {
                    let single = try await client.execute(uri: "/v1/events/\(event.id ?? "")", method: .get, headers: auditBearer(roles.admin))
                    #expect(event.data == single.text)
                }
            }
        }
    }

    /// `Last-Event-ID` continues after the position it names and wins over `from`.
    @Test func resumeWithLastEventID() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await withAuditRoleAPI(store) { client, roles in
                let headers = auditBearer(roles.auditor, [HTTPField.Name("Last-Event-ID")!: "3"])
                let response = try await client.execute(uri: "/v1/feed?from=1&through=5", method: .get, headers: headers)
                #expect(parseServerSentEvents(response.text).events.map(\.id) == ["4", "5"])
                // An empty header is no header.
                let empty = auditBearer(roles.auditor, [HTTPField.Name("Last-Event-ID")!: ""])
                let all = try await client.execute(uri: "/v1/feed?from=1&through=5", method: .get, headers: empty)
                #expect(parseServerSentEvents(all.text).events.map(\.id) == ["1", "2", "3", "4", "5"])
                let bad = auditBearer(roles.auditor, [HTTPField.Name("Last-Event-ID")!: "four"])
                let refused = try await client.execute(uri: "/v1/feed?through=5", method: .get, headers: bad)
                let problem = try expectProblem(refused, status: .badRequest, code: "invalid-parameter")
                #expect(problem["parameter"] as? String == "Last-Event-ID")
            }
        }
    }

    /// `types` keeps only those event types; malformed parameters are 400s naming them.
    @Test func typesFilterAndBadParameters() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await withAuditRoleAPI(store) { client, roles in
                let response = try await client.execute(uri: "/v1/feed?from=1&through=5&types=CustomerRegistered,CaseOpened",
                                                        method: .get, headers: auditBearer(roles.admin))
                let events = parseServerSentEvents(response.text).events
                #expect(events.map(\.id) == ["1", "3", "5"])
                #expect(events.map(\.event) == ["CustomerRegistered", "CustomerRegistered", "CaseOpened"])
                for (query, parameter) in [("from=x", "from"), ("through=-1", "through"), ("types=A,,B", "types")] {
                    let refused = try await client.execute(uri: "/v1/feed?\(query)", method: .get, headers: auditBearer(roles.admin))
                    let problem = try expectProblem(refused, status: .badRequest, code: "invalid-parameter")
                    #expect(problem["parameter"] as? String == parameter)
                }
            }
        }
    }

    /// A feed that has caught up waits for the next commit: events appended while the request is
    /// open arrive, and nothing is repeated across the switch from catch-up to live.
    @Test func liveEventsArriveWhileConnected() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await withAuditRoleAPI(store) { client, roles in
                async let response = client.execute(uri: "/v1/feed?from=4&through=8", method: .get, headers: auditBearer(roles.admin))
                try await Task.sleep(for: .milliseconds(200))
                try await appendAuditEvents(store, stream: "customer-9", count: 2)
                try await Task.sleep(for: .milliseconds(100))
                try await appendAuditEvents(store, stream: "customer-9", count: 1)
                let events = parseServerSentEvents(try await response.text).events
                #expect(events.map(\.id) == ["4", "5", "6", "7", "8"])
                #expect(events.suffix(3).allSatisfy { $0.event == "NoteAdded" })
            }
        }
    }

    /// While nothing happens the feed sends heartbeat comments, and the next event follows them.
    /// The stream is watched through its own writes (no fixed sleep): on a loaded machine the
    /// feed's task may be scheduled late, and a timed version of this test failed once that way.
    @Test func heartbeatsWhileIdle() async throws {
        try await withStore { store, _ in
            let writer = CollectingBodyWriter()
            let feed = FeedStream(store: store, types: nil, heartbeat: .milliseconds(40))
            async let finished: Void = {
                var body: any ResponseBodyWriter = writer
                try await feed.run(from: 1, through: 1, to: &body)
            }()
            for _ in 0..<1000 where !writer.text.contains(": heartbeat") {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await appendAuditEvents(store, stream: "customer-1", count: 1)
            try await finished
            let text = writer.text
            #expect(parseServerSentEvents(text).events.map(\.id) == ["1"])
            let firstHeartbeat = try #require(text.range(of: ": heartbeat"))
            let event = try #require(text.range(of: "id: 1"))
            #expect(firstHeartbeat.lowerBound < event.lowerBound)
        }
    }

    /// The route passes its heartbeat interval to the stream: an idle feed answered over HTTP
    /// carries heartbeat comments.
    @Test func routeSendsHeartbeats() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "root", role: .admin).bearer
            let routes = FeedRoutes(dependencies: APIDependencies(store: store, tokens: tokens, projections: nil, configuration: ServerConfiguration()),
                                    heartbeat: .milliseconds(20))
            let app = Application(router: Self.feedRouter(routes, tokens: tokens), logger: quietLogger)
            try await app.test(.router) { client in
                async let response = client.execute(uri: "/v1/feed?from=1&through=1", method: .get, headers: auditBearer(admin))
                try await Self.waitForSubscribers(routes, count: 1)
                try await Task.sleep(for: .seconds(1))
                try await appendAuditEvents(store, stream: "customer-1", count: 1)
                let parsed = parseServerSentEvents(try await response.text)
                #expect(parsed.events.map(\.id) == ["1"])
                #expect(parsed.comments.contains("heartbeat"))
            }
        }
    }

    /// The wait of a caught-up feed ends on a commit, on the heartbeat, or on the store closing.
    @Test func feedWakeReasons() async throws {
        let watch = PositionWatch(head: 3)
        #expect(await FeedWake.wait(on: watch, beyond: 2, heartbeat: .seconds(30)) == .advanced)
        #expect(await FeedWake.wait(on: watch, beyond: 3, heartbeat: .milliseconds(20)) == .heartbeat)
        async let advanced = FeedWake.wait(on: watch, beyond: 3, heartbeat: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        watch.advance(to: 4)
        #expect(await advanced == .advanced)
        async let closed = FeedWake.wait(on: watch, beyond: 4, heartbeat: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        watch.close()
        #expect(await closed == .finished)
        let cancelled = Task { await FeedWake.wait(on: PositionWatch(head: 0), beyond: 0, heartbeat: .seconds(30)) }
        cancelled.cancel()
        #expect(await cancelled.value == .finished)
    }

    /// Open feeds are bounded: one more is 429 `too-many-requests`; a feed that ends frees its slot.
    @Test func subscriberLimit() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "root", role: .admin).bearer
            let routes = FeedRoutes(dependencies: APIDependencies(store: store, tokens: tokens, projections: nil, configuration: ServerConfiguration()),
                                    maxSubscribers: 1)
            let app = Application(router: Self.feedRouter(routes, tokens: tokens), logger: quietLogger)
            try await app.test(.router) { client in
                async let open = client.execute(uri: "/v1/feed?from=1&through=1", method: .get, headers: auditBearer(admin))
                try await Self.waitForSubscribers(routes, count: 1)
                let refused = try await client.execute(uri: "/v1/feed?through=0", method: .get, headers: auditBearer(admin))
                try expectProblemWithoutPosition(refused, status: .tooManyRequests, code: "too-many-requests")
                try await appendAuditEvents(store, stream: "customer-1", count: 1)
                #expect(parseServerSentEvents(try await open.text).events.map(\.id) == ["1"])
                try await Self.waitForSubscribers(routes, count: 0)
                let again = try await client.execute(uri: "/v1/feed?from=1&through=1", method: .get, headers: auditBearer(admin))
                #expect(again.status == .ok)
                #expect(parseServerSentEvents(again.text).events.map(\.id) == ["1"])
            }
        }
    }

    /// A router with authentication, authorization and only `routes`.
    static func feedRouter(_ routes: FeedRoutes, tokens: TokenStore) -> Router<CRMRequestContext> {
        let router = Router(context: CRMRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AuthenticationMiddleware(tokens: tokens))
        router.add(middleware: AuthorizationMiddleware())
        routes.add(to: router)
        return router
    }

    /// Waits (up to 10 s) until `count` feeds of `routes` are open.
    static func waitForSubscribers(_ routes: FeedRoutes, count: Int) async throws {
        for _ in 0..<1000 where routes.subscribers.current != count {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(routes.subscribers.current == count)
    }

    /// The feed is the raw log: managers and agents are refused, auditors and integrators with
    /// the scope are served.
    @Test func onlyFeedReadersMayOpenIt() async throws {
        try await withStore { store, _ in
            try await withAuditRoleAPI(store) { client, roles in
                for token in [roles.manager, roles.agent, roles.integratorWithoutScopes] {
                    let response = try await client.execute(uri: "/v1/feed?through=0", method: .get, headers: auditBearer(token))
                    let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                    #expect(problem["permission"] as? String == "feed.read")
                }
                for token in [roles.admin, roles.auditor, roles.integrator] {
                    let response = try await client.execute(uri: "/v1/feed?through=0", method: .get, headers: auditBearer(token))
                    #expect(response.status == .ok)
                }
                let anonymous = try await client.execute(uri: "/v1/feed?through=0", method: .get)
                try expectProblem(anonymous, status: .unauthorized, code: "unauthenticated")
            }
        }
    }

    /// Over a real socket: the catch-up arrives before anything new is appended, a later append
    /// arrives on the open connection, a client that leaves ends its stream, and graceful shutdown
    /// ends a stream whose client is still connected (the test would not finish otherwise).
    @Test(.timeLimit(.minutes(1)))
    func liveOverASocketEndsOnShutdown() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "root", role: .admin).bearer
            let app = buildApplication(store: store, tokens: tokens, configuration: ServerConfiguration(port: 0), logger: quietLogger)
            let staying = try await app.test(.live) { client -> SSEConnection in
                let port = try #require(client.port)
                let leaving = try SSEConnection(port: port)
                leaving.get("/v1/feed?from=1", headers: ["Authorization": "Bearer \(admin)"])
                let caughtUp = await leaving.read(until: "id: 5\n")
                #expect(caughtUp.hasPrefix("HTTP/1.1 200"))
                #expect(caughtUp.lowercased().contains("content-type: text/event-stream"))
                #expect(!caughtUp.contains("id: 6\n"))
                try await appendAuditEvents(store, stream: "customer-7", count: 1)
                let live = await leaving.read(until: "id: 6\n")
                #expect(live.contains("id: 6\nevent: NoteAdded\ndata: {\"position\":6,"))
                leaving.close()

                let staying = try SSEConnection(port: port)
                staying.get("/v1/feed", headers: ["Authorization": "Bearer \(admin)", "Last-Event-ID": "5"])
                let resumed = await staying.read(until: "id: 6\n")
                #expect(!resumed.contains("id: 5\n"))
                try await appendAuditEvents(store, stream: "customer-7", count: 1)
                #expect(await staying.read(until: "id: 7\n").contains("id: 7\n"))
                return staying
            }
            // The server has shut down: the open stream was ended, not abandoned.
            #expect(await staying.readUntilClosed())
            staying.close()
        }
    }
}
