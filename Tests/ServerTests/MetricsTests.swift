import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections
import Prometheus
@testable import Server
import Testing

/// `GET /metrics`: who may read it and what it reports, from a registry the application owns.
@Suite("Metrics")
struct MetricsTests {
    @Test func metricsNeedTheMetricsPermission() async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            let manager = try tokens.create(user: "mgr-01", role: .manager).bearer
            let auditor = try tokens.create(user: "audit", role: .auditor).bearer
            let integrator = try tokens.create(user: "bi", role: .integrator, scopes: [.metricsRead]).bearer
            let app = buildApplication(store: store, tokens: tokens, logger: quietLogger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/metrics", method: .get) { response in
                    _ = try expectProblem(response, status: .unauthorized, code: "unauthenticated")
                }
                try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(manager)"]) { response in
                    let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                    #expect(problem["permission"] as? String == "metrics.read")
                }
                for bearer in [auditor, integrator] {
                    try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(bearer)"]) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                        #expect(response.logPosition == "0")
                    }
                }
            }
        }
    }

    @Test func metricsReportRequestsAppendsGroupCommitsAndProjectorLag() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, directory in
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "test-admin", role: .admin).bearer
            let metrics = ServerMetrics()
            // The router alone runs no services: the projectors stay where they are (at 0).
            let app = Application(router: buildRouter(store: store, tokens: tokens, projections: engine, metrics: metrics), logger: quietLogger)
            try await app.test(.router) { client in
                // Appends after the application was built are counted.
                try await seed(store, clock: clock)
                let client = AuthorizedClient(base: client, bearer: admin)
                for _ in 0..<3 { try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) } }
                try await client.execute(uri: "/v1/events/99", method: .get) { #expect($0.status == .notFound) }
                for made in ["BREW", "WHEN", "FETCH"] {
                    try await client.execute(uri: "/health", method: HTTPRequest.Method(made)!) { _ in }
                }
                // A request is counted once its answer has been written, which can be just after
                // the client has it: scrape until the earlier requests are all in (bounded).
                var text = ""
                for _ in 0..<200 {
                    text = try await client.execute(uri: "/metrics", method: .get) { response in
                        #expect(response.status == .ok)
                        return response.text
                    }
                    if text.contains(#"route="/v1/events/{position}",status="4xx"} 1"#), text.contains("crm_http_requests_in_flight 1"),
                       text.contains(#"route="/health",status="2xx"} 3"#) { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                do {
                    #expect(text.contains(#"crm_http_request_duration_seconds_count{method="GET",route="/health",status="2xx"} 3"#), "\(text)")
                    #expect(text.contains(#"crm_http_request_duration_seconds_count{method="GET",route="/v1/events/{position}",status="4xx"} 1"#))
                    // Made-up methods share one series instead of adding one each.
                    #expect(text.contains(#"crm_http_request_duration_seconds_count{method="other",route="unmatched",status="4xx"} 3"#), "\(text)")
                    #expect(!text.contains("BREW"))
                    #expect(text.contains("crm_eventstore_appended_events_total 5"))
                    #expect(text.contains("crm_eventstore_commits_total 5"))
                    #expect(text.contains("crm_eventstore_commit_group_requests_count 5"))
                    // The scrape itself is in flight while it renders.
                    #expect(text.contains("crm_http_requests_in_flight 1"))
                    // Not running yet: every projector trails the head by the whole log.
                    for name in engine.names {
                        #expect(text.contains(#"crm_projector_lag_events{projector="\#(name)"} 5"#), "\(name)")
                        #expect(text.contains(#"crm_projector_ready{projector="\#(name)"} 0"#), "\(name)")
                    }
                }
            }
            // The instruments live in the registry handed in, not in a global one.
            #expect(metrics.registry.emitToString().contains("crm_http_request_duration_seconds_bucket"))
            #expect(!PrometheusMetricsFactory.defaultRegistry.emitToString().contains("crm_http_request_duration_seconds"))
        }
    }
}
