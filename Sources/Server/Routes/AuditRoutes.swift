import EventStore
import Hummingbird
import HTTPTypes
import NIOCore

/// What an auditor asks: who did what to which record, when and from where; who read whose
/// personal data; and is the log intact.
///
/// - `GET /v1/audit/events?actor=&stream=&type=&clientAddress=&since=&until=&from=&limit=`: the
///   events matching every given filter, the window `[since, until)` on recorded time (ISO-8601),
///   oldest first, from log position `from`. `next` is the position to continue from, or null
///   when nothing more matches as of `X-Log-Position` (the head the answer is complete up to).
/// - `GET /v1/audit/export?format=ndjson|csv&purpose=&pseudonymise=&<the same filters>`: every
///   matching event up to the head, streamed page by page as an attachment (constant memory for
///   any size), its data with personal values opened, or replaced by per-subject pseudonyms with
///   `pseudonymise=true` (`ExportPresentation`; 409 `encryption-disabled` without a key ring). The
///   export is first recorded as a `DataAccessed` event (who, filters, purpose, from where); an
///   auditor must give a `purpose`.
/// - `/v1/audit/events` shows events as the log stores them (like `/v1/events`): personal values
///   as the placeholder `(sealed)` plus the ciphertext, never in the clear.
/// - `GET /v1/audit/access?subject=&actor=&since=&until=&from=&limit=`: the recorded accesses
///   (`DataAccessed` events); `from` and `next` are versions of the `system-access` stream.
/// - `GET /v1/audit/verify`: recomputes the hash chain and checks the signed checkpoints, and
///   reports the last signed checkpoint and whether it was verified; concurrent calls share one
///   verification (`VerificationRunner`).
struct AuditRoutes {
    /// The largest page the export reads at once; the memory it holds per request.
    static let exportPageSize = 1000

    /// The log, the read models (the audit index) and the rest the routes share.
    let dependencies: APIDependencies
    /// One chain verification at a time, shared by concurrent callers.
    let verifications: VerificationRunner

    /// The audit routes over `dependencies`, with their own verification runner.
    init(dependencies: APIDependencies) {
        self.dependencies = dependencies
        verifications = VerificationRunner(store: dependencies.store)
    }

    private var store: EventStore { dependencies.store }
    private var search: AuditSearch { AuditSearch(store: dependencies.store, projections: dependencies.projections) }

    func add(to router: Router<CRMRequestContext>) {
        router.get("/v1/audit/events", use: events)
        router.get("/v1/audit/export", use: export)
        router.get("/v1/audit/access", use: accesses)
        router.get("/v1/audit/verify", use: verify)
    }

    @Sendable func events(_ request: Request, context: CRMRequestContext) async throws -> LogAnswer {
        let query = QueryParameters(request)
        let filter = try AuditFilter(query)
        let from = try Swift.max(query.position("from") ?? 1, 1)
        let limit = try query.limit()
        let (store, search) = (store, search)
        let (head, page) = try await offload { () throws -> (UInt64, AuditPage) in
            let head = try store.head().position
            guard let range = try filter.positions(in: store, head: head) else { return (head, AuditPage(events: [], next: nil)) }
            return (head, try search.page(filter, in: range, from: from, limit: limit))
        }
        var body = JSONObjectBuilder()
        try body.add("actor", filter.actor)
        try body.add("stream", filter.stream)
        try body.add("type", filter.type)
        try body.add("clientAddress", filter.clientAddress)
        try body.add("since", filter.since.map(RecordedEvent.iso8601(milliseconds:)))
        try body.add("until", filter.until.map(RecordedEvent.iso8601(milliseconds:)))
        try body.add("events", events: page.events)
        try body.add("next", page.next)
        return LogAnswer(position: head, body: body.build())
    }

    @Sendable func export(_ request: Request, context: CRMRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let filter = try AuditFilter(query)
        let format = try AuditExportFormat(request.uri.queryParameters.get("format"))
        let purpose = try AccessRecorder.purpose(request, principal: context.principal)
        let presentation: ExportPresentation
        if try query.flag("pseudonymise") {
            guard let keyRing = dependencies.keyRing else {
                throw APIError(.encryptionDisabled, "this server runs without a master key, so it has no pseudonyms; start it with a key ring, or export without pseudonymise")
            }
            presentation = .pseudonymised(keyRing)
        } else {
            presentation = .readable(dependencies.registry)
        }
        // The export covers the log up to this head; its own access event comes after it.
        let head = try store.head().position
        var filters = filter.recorded
        filters["format"] = format.rawValue
        var fields = ["events"]
        if case .pseudonymised = presentation {
            filters["pseudonymise"] = "true"
            fields = []  // no personal value leaves the server
        }
        try await AccessRecorder(store: store).record(
            DataAccessed(route: "GET /v1/audit/export", filters: filters, fields: fields, purpose: purpose), context: context)

        let (store, search) = (store, search)
        let body = ResponseBody { writer in
            if !format.preamble.isEmpty { try await writer.write(ByteBuffer(bytes: format.preamble)) }
            // One page in memory at a time: read, write, then read the next.
            let range = try await offload { try filter.positions(in: store, head: head) }
            var from = range?.lowerBound ?? 1
            while let range {  // ends when a page has no `next`
                let start = from
                let page = try await offload { try search.page(filter, in: range, from: start, limit: Self.exportPageSize) }
                var bytes: [UInt8] = []
                for event in page.events { format.append(event, presentation: presentation, to: &bytes) }
                if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
                guard let next = page.next else { break }
                try Task.checkCancellation()
                from = next
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        headers[.contentDisposition] = "attachment; filename=\"audit-\(head).\(format.rawValue)\""
        headers[.cacheControl] = "no-store"
        headers[.logPosition] = String(head)
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func accesses(_ request: Request, context: CRMRequestContext) async throws -> LogAnswer {
        let query = QueryParameters(request)
        let subject = try query.identifier("subject")
        let actor = try query.identifier("actor")
        let since = try query.timestamp("since")
        let until = try query.timestamp("until")
        if let since, let until, until <= since {
            throw APIError.invalidParameter("until", "until must be later than since")
        }
        let from = try Swift.max(query.position("from") ?? 1, 1)
        let limit = try query.limit()
        let store = store
        let (head, page) = try await offload { () throws -> (UInt64, AccessLog.Page) in
            let head = try store.head().position
            return (head, try AccessLog(store: store).page(
                subject: subject, actor: actor, since: since, until: until, from: from, head: head, limit: limit))
        }
        var body = JSONObjectBuilder()
        try body.add("subject", subject)
        try body.add("actor", actor)
        try body.add("since", since.map(RecordedEvent.iso8601(milliseconds:)))
        try body.add("until", until.map(RecordedEvent.iso8601(milliseconds:)))
        try body.add("events", events: page.events)
        try body.add("next", page.next)
        return LogAnswer(position: head, body: body.build())
    }

    @Sendable func verify(_ request: Request, context: CRMRequestContext) async throws -> LogAnswer {
        let outcome = try await verifications.verify()
        return try LogAnswer(position: outcome.report.to, encoding: VerificationBody(
            report: outcome.report, lastSigned: outcome.checkpoints.last, duration: outcome.duration))
    }
}
