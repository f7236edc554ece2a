import Domain
import EventStore
import Foundation
import Hummingbird
import Logging

/// The command routes: one per domain command (`CommandRoute.all`), each taking the command's JSON
/// minus the ids the path gives.
///
/// A request goes through, in order: the route's permission (`AuthorizationMiddleware`); the
/// headers (`If-Match`, `Idempotency-Key`, `X-Reason`); the body, checked strictly against the
/// command's schema (malformed JSON, wrong types, missing and unknown members are 400
/// `validation-failed` listing every offending member in `fields`; a body id contradicting the
/// path is one of them); an idempotent replay if the key was seen; the caller's rows
/// (`CommandScope`, 403); then the decision and the append. The actor, role, client address and
/// user agent of the events come from the authenticated request, never the body; business time
/// is the server's clock; the reason is `X-Reason` or the command's own `reason`.
///
/// Answers: 201 (creations, with `Location`) or 200 with `CommandAnswer.Body`, `ETag` and
/// `X-Log-Position`. Refusals: see `APIError(domain:)`; nothing is written by a refused command.
struct CommandRoutes {
    let dependencies: APIDependencies

    /// The largest command body accepted.
    static let maxBodyBytes = 1 << 20

    func add(to router: Router<CRMRequestContext>) {
        for route in CommandRoute.all {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await handle(route, request, context)
            }
        }
    }

    private func handle(_ route: CommandRoute, _ request: Request, _ context: CRMRequestContext) async throws -> CommandAnswer {
        guard let principal = context.principal else { throw APIError(.unauthenticated, "this route needs a bearer token") }
        let headers = try CommandHeaders(request.headers)
        var members = try await Self.members(of: request)
        var problems: [APIError.FieldProblem] = []
        var pathValues: [String] = []
        for (parameter, member) in route.pathMembers {
            let value = try context.pathIdentifier(parameter)
            pathValues.append(value)
            if let given = members[member], given != .null, given != .string(value) {
                problems.append(.init(field: member, reason: "contradicts the path, which names '\(value)'"))
            }
            members[member] = .string(value)
        }
        if let reason = headers.reason, route.schema.fields.contains(where: { $0.name == "reason" }),
           members["reason"] == nil || members["reason"] == .null {
            members["reason"] = .string(reason)
        }
        // The request as the caller made it (path ids and header reason merged), for the
        // fingerprint and the location; the options are then taken out of the command's members.
        let requested = members
        var options: [String: JSONValue] = [:]
        for option in route.options {
            guard let value = members.removeValue(forKey: option.name) else { continue }
            options[option.name] = value
            problems += BodySchema.object([option]).problems(in: .object([option.name: value]))
        }
        problems += route.schema.problems(in: .object(members))
        guard problems.isEmpty else { throw APIError.validationFailed(problems) }

        let services = dependencies.commands
        // Only an idempotent request is ever compared with another (its stored first answer).
        let fingerprint = headers.idempotencyKey == nil ? "" : try Self.fingerprint(route, pathValues, requested, headers)
        var eventIds: [UUID]?
        var correlationId = UUID()
        if let key = headers.idempotencyKey {
            if let stored = try await offload({ try services.idempotency.answer(user: principal.user, key: key) }) {
                guard stored.fingerprint == fingerprint else {
                    throw APIError(.idempotencyKeyReused, "the Idempotency-Key '\(key)' was used with another request; use a new key")
                }
                return CommandAnswer(stored: stored)
            }
            correlationId = IdempotencyStore.commandId(user: principal.user, key: key)
            eventIds = (0..<Self.idsPerCommand).map { UUID.derived(from: correlationId, index: $0) }
        }
        let reason: String? = headers.reason ?? {
            if case .string(let reason)? = members["reason"] { return reason }
            return nil
        }()
        guard let metadata = context.appendMetadata(reason: reason, correlationId: correlationId) else {
            throw APIError(.unauthenticated, "this route needs a bearer token")
        }
        // Only a manager's scope reads the log (its team); the others need no thread of their own.
        let scope = principal.role == .manager
            ? try await offload { [dependencies] in try RowScope.of(principal, teams: dependencies.teams) }
            : try RowScope.of(principal, teams: dependencies.teams)
        let invocation = CommandInvocation(
            body: Data(JSONValue.object(members).json), options: options, principal: principal,
            scope: CommandScope(scope: scope, handler: services.handler, user: principal.user), services: services,
            context: DecisionContext(now: Date()), expected: headers.ifMatch, eventIds: eventIds, metadata: metadata)
        let outcome: CommandOutcome
        do {
            outcome = try await Self.run(route, invocation)
        } catch {
            // A refusal is the first answer too: a retry with the key gets it again.
            let refusal = APIError(translating: error, method: request.method, path: request.uri.path)
            guard let key = headers.idempotencyKey, refusal.code.status.kind == .clientError else { throw error }
            let stored = StoredAnswer(
                fingerprint: fingerprint, status: Int(refusal.code.status.code),
                body: String(decoding: try JSONBody.encode(refusal.problem(instance: request.uri.path)), as: UTF8.self),
                position: try services.store.head().position, etag: nil, contentType: "application/problem+json", location: nil)
            do {
                try await offload { try services.idempotency.save(stored, user: principal.user, key: key) }
            } catch let failure {
                // Nothing was written: the refusal stands even when it cannot be kept for replays.
                context.logger.warning("the refusal of an idempotent command was not kept for replays", metadata: [
                    "error": "\(failure)"])
                throw error
            }
            return CommandAnswer(stored: try await offload { try services.idempotency.answer(user: principal.user, key: key) } ?? stored)
        }
        let position = try outcome.positions.last ?? services.store.head().position
        let body = CommandAnswer.Body(stream: outcome.stream, streamVersion: outcome.streamVersion, position: position,
                                      positions: outcome.positions, events: outcome.eventTypes)
        let answer = StoredAnswer(
            fingerprint: fingerprint, status: route.creates ? 201 : 200,
            body: String(decoding: try JSONBody.encode(body), as: UTF8.self), position: position,
            etag: "\"\(outcome.streamVersion)\"", location: route.location(members: requested, outcome: outcome))
        if let key = headers.idempotencyKey {
            do {
                try await offload { try services.idempotency.save(answer, user: principal.user, key: key) }
                // A concurrent twin may have stored its answer first; both describe the same events.
                if let first = try await offload({ try services.idempotency.answer(user: principal.user, key: key) }) {
                    return CommandAnswer(stored: first)
                }
            } catch {
                // The events are durable, so this is the answer (a full disk must not turn a
                // command that was carried out into a 507). A retry with the key still finds
                // them by their derived ids (`run`) and appends nothing.
                context.logger.warning("the answer of an idempotent command was not kept for replays", metadata: [
                    "error": "\(error)", "position": "\(position)"])
            }
        }
        return CommandAnswer(stored: answer)
    }

    /// Runs the route; with an idempotency key, first looks for the events a previous attempt
    /// appended (the answer was lost, e.g. the server stopped before storing it), and answers with
    /// those instead of deciding again.
    ///
    /// A concurrent request with the same key (a client's retry while the first attempt is still
    /// running) may append between that look and this decision. Its events are then this
    /// request's answer too, whether the append met their ids (`eventIdConflict`), deciding again
    /// saw them and refused (`already-exists`) or decided nothing: otherwise that refusal or empty
    /// answer could be stored as the key's first answer, and a command that was carried out would
    /// be reported as refused to both callers and to every later retry.
    private static func run(_ route: CommandRoute, _ invocation: CommandInvocation) async throws -> CommandOutcome {
        guard let eventIds = invocation.eventIds else { return try await route.run(invocation) }
        let services = invocation.services
        if let stored = try await offload({ try services.storedOutcome(eventIds: eventIds) }) { return stored }
        let outcome: CommandOutcome
        do {
            outcome = try await route.run(invocation)
        } catch {
            if let stored = try await offload({ try services.storedOutcome(eventIds: eventIds) }) { return stored }
            throw error
        }
        if outcome.positions.isEmpty, let stored = try await offload({ try services.storedOutcome(eventIds: eventIds) }) {
            return stored
        }
        return outcome
    }

    /// Event ids derived per idempotent command; more than any command produces.
    static let idsPerCommand = 8

    /// The body's members: an empty body is an empty object; anything but a JSON object is 400.
    static func members(of request: Request, limit: Int = maxBodyBytes) async throws -> [String: JSONValue] {
        let buffer = try await request.body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else { return [:] }
        let parsed = buffer.withUnsafeReadableBytes { raw -> Result<JSONValue, JSONValueParser.Failure> in
            do throws(JSONValueParser.Failure) { return .success(try JSONValueParser.parse(raw)) } catch { return .failure(error) }
        }
        let value: JSONValue
        switch parsed {
        case .success(let parsedValue): value = parsedValue
        case .failure(let failure):
            throw APIError.validationFailed([.init(field: "body", reason: "is not valid JSON (\(failure.reason) at byte \(failure.offset))")])
        }
        guard case .object(let members) = value else {
            throw APIError.validationFailed([.init(field: "body", reason: "must be a JSON object")])
        }
        return members
    }

    /// What makes two requests the same request: route, path, body (canonical JSON) and headers
    /// that change the outcome.
    static func fingerprint(_ route: CommandRoute, _ path: [String], _ members: [String: JSONValue], _ headers: CommandHeaders) throws -> String {
        var text = Array("\(route.key)\n\(path.joined(separator: "\u{0}"))\n\(headers.ifMatch.map(String.init) ?? "")\n\(headers.reason ?? "")\n".utf8)
        text += JSONValue.object(members).json
        return text.withUnsafeBytes { SHA256Digest.hash($0) }.description
    }
}
