import Domain
import EventStore
import Foundation
import Hummingbird

/// The data-subject routes of issue 6: erasing a person, and who saw a person's data.
///
/// `{id}` names a data subject: `customer:ID`, `lead:ID`, `contact:ID`, or a bare id (tried as a
/// customer, then a lead, then a contact).
///
/// - `POST /v1/subjects/{id}/erase` with `{"reason": "…"}` (`subjects.erase`, admins only):
///   destroys the data keys of the subject and of every subject it owns, then appends
///   `SubjectErased` (no personal data; the reason in its envelope) to the record's stream
///   (`SubjectErasure`). 200 with `ErasureAnswer`; 400 `validation-failed` without a reason; 404
///   for an unknown subject; 410 `subject-erased` when it was erased already; 409
///   `encryption-disabled` when the server runs without a key ring (nothing is encrypted, so
///   nothing can be erased by destroying a key). `Idempotency-Key` replays the first answer
///   (success or refusal) to a retry with the same key and body; without one, a retry after a lost
///   answer gets 410, which also says the subject is gone. One erasure runs at a time.
///   Read models answer with `erased` in place of the subject's personal values from the moment
///   this answers (`ErasureMask`), before their projectors have applied the event.
/// - `GET /v1/subjects/{id}/access-log?cursor=&limit=&since=&until=` (`audit.read`: admins and
///   auditors): the `DataAccessed` events naming the subject (as the record read or among the
///   subjects an answer carried), oldest first, as `SubjectAccessPage`. Scans the `system-access`
///   stream (at most `AccessLog.maxScan` events per page; a short page carries `next`). An
///   unknown subject has an empty log, not a 404: the log must answer for erased subjects too.
struct SubjectRoutes {
    let dependencies: APIDependencies
    /// One erasure at a time.
    let gate = ErasureGate()

    func add(to router: Router<CRMRequestContext>) {
        router.post("/v1/subjects/{id}/erase", use: erase)
        router.get("/v1/subjects/{id}/access-log", use: accessLog)
    }

    /// The route key erasures are fingerprinted and recorded under.
    static let eraseRoute = "POST /v1/subjects/{id}/erase"

    @Sendable func erase(_ request: Request, context: CRMRequestContext) async throws -> CommandAnswer {
        guard let principal = context.principal else { throw APIError(.unauthenticated, "this route needs a bearer token") }
        let id = try context.pathIdentifier("id")
        let headers = try CommandHeaders(request.headers)
        let body = try ErasureRequest(try await CommandRoutes.members(of: request))
        guard let erasure = dependencies.erasure else {
            throw APIError(.encryptionDisabled, """
                this server runs without a master key: personal data is not encrypted, so it cannot be erased by destroying \
                its key; start the server with a key ring (crm keys init, --master-key) first
                """)
        }
        let services = dependencies.commands
        let fingerprint = Self.fingerprint(id: id, reason: body.reason)
        var correlationId = UUID()
        if let key = headers.idempotencyKey {
            if let stored = try await offload({ try services.idempotency.answer(user: principal.user, key: key) }) {
                guard stored.fingerprint == fingerprint else {
                    throw APIError(.idempotencyKeyReused, "the Idempotency-Key '\(key)' was used with another request; use a new key")
                }
                return CommandAnswer(stored: stored)
            }
            correlationId = IdempotencyStore.commandId(user: principal.user, key: key)
        }
        guard let metadata = context.appendMetadata(reason: body.reason, correlationId: correlationId) else {
            throw APIError(.unauthenticated, "this route needs a bearer token")
        }
        let answer: StoredAnswer
        do {
            let outcome = try await gate.run { try await erasure.erase(id, metadata: metadata) }
            let body = ErasureAnswer(subject: outcome.subject, erasedSubjects: outcome.erasedSubjects, stream: outcome.stream,
                                     position: outcome.position)
            answer = StoredAnswer(fingerprint: fingerprint, status: 200, body: String(decoding: try JSONBody.encode(body), as: UTF8.self),
                                  position: outcome.position, etag: nil)
        } catch {
            // A refusal is the first answer too: a retry with the key gets it again.
            let refusal = APIError(translating: error, method: request.method, path: request.uri.path)
            guard let key = headers.idempotencyKey, refusal.code.status.kind == .clientError else { throw error }
            let stored = StoredAnswer(
                fingerprint: fingerprint, status: Int(refusal.code.status.code),
                body: String(decoding: try JSONBody.encode(refusal.problem(instance: request.uri.path)), as: UTF8.self),
                position: try dependencies.store.head().position, etag: nil, contentType: "application/problem+json", location: nil)
            try await offload { try services.idempotency.save(stored, user: principal.user, key: key) }
            return CommandAnswer(stored: try await offload { try services.idempotency.answer(user: principal.user, key: key) } ?? stored)
        }
        if let key = headers.idempotencyKey {
            try await offload { try services.idempotency.save(answer, user: principal.user, key: key) }
        }
        return CommandAnswer(stored: answer)
    }

    /// What makes two erasure requests the same request: the subject as named and the reason.
    static func fingerprint(id: String, reason: String) -> String {
        let text = Array("\(eraseRoute)\n\(id)\n\(reason)".utf8)
        return text.withUnsafeBytes { SHA256Digest.hash($0) }.description
    }

    @Sendable func accessLog(_ request: Request, context: CRMRequestContext) async throws -> LogAnswer {
        let id = try context.pathIdentifier("id")
        let query = QueryParameters(request)
        let since = try query.timestamp("since")
        let until = try query.timestamp("until")
        if let since, let until, until <= since {
            throw APIError.invalidParameter("until", "until must be later than since")
        }
        let limit = try query.limit()
        var from: UInt64 = 1
        if let cursor = request.uri.queryParameters.get("cursor") {
            guard let version = UInt64(cursor), version >= 1 else {
                throw APIError.invalidParameter("cursor", "cursor must be the `next` of a previous page of this log")
            }
            from = version
        }
        let (store, start) = (dependencies.store, from)
        let (head, page) = try await offload { () throws -> (UInt64, AccessLog.Page) in
            let head = try store.head().position
            return (head, try AccessLog(store: store).page(subject: id, actor: nil, since: since, until: until, from: start, head: head,
                                                           limit: limit))
        }
        let items = page.events.compactMap { event -> SubjectAccess? in
            guard let access = try? event.decode(DataAccessed.self) else { return nil }
            return SubjectAccess(
                position: event.position, at: RecordedEvent.iso8601(milliseconds: event.recordedAt),
                actor: .init(id: event.actor.id, role: event.actor.role),
                source: .init(clientAddress: event.source.clientAddress, userAgent: event.source.userAgent, host: event.source.host),
                route: access.route, record: access.subject, fields: access.fields, purpose: access.purpose, filters: access.filters)
        }
        return try LogAnswer(position: head, encoding: SubjectAccessPage(subject: id, items: items, next: page.next.map(String.init),
                                                                        position: head))
    }
}
