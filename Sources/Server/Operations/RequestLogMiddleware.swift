import Foundation
import Hummingbird
import HTTPTypes
import Logging
import Synchronization

/// The outermost middleware: gives every request an id, measures it, and logs one line for it.
///
/// The line (`request`, at `info`; at `error` for a 5xx) carries `request_id`, `principal`
/// (`user/role`, or `-` when unauthenticated), `method`, `route` (the router's pattern, so ids
/// do not end up in the log; `unmatched` for unknown routes), `status`, `duration_ms` and `bytes`
/// (the response body as written). It is written once the body has been sent, so streamed answers
/// (the event feed) are measured whole. The same numbers feed `ServerMetrics`. Inner log lines,
/// such as the cause of a 5xx that `ProblemMiddleware` logs, carry the same `request_id`.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = RequestID.resolve(request.headers[.requestID])
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        let clock = ContinuousClock()
        let start = clock.now
        let note = RequestNote()
        context.note = note
        metrics.started()
        let finish = Finish(metrics: metrics, logger: context.logger, method: request.method.rawValue, note: note,
                            endpoint: context.coreContext.endpointPath, start: start)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Only reached if an error escapes the problem middleware; log it and let the server answer 500.
            finish.log(status: 500, bytes: 0)
            throw error
        }
        response.headers[.requestID] = id
        let status = Int(response.status.code)
        let bytes = ByteCount()
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { [finish] writer in
            do {
                try await body.write(writer.map { buffer in
                    bytes.value.add(buffer.readableBytes, ordering: .relaxed)
                    return buffer
                })
            } catch {
                finish.log(status: status, bytes: bytes.value.load(ordering: .relaxed))
                throw error
            }
            finish.log(status: status, bytes: bytes.value.load(ordering: .relaxed))
        }
        return response
    }

    /// Writes the log line and the metrics once the response is done.
    struct Finish: Sendable {
        let metrics: ServerMetrics
        let logger: Logger
        let method: String
        let note: RequestNote
        let endpoint: EndpointPath
        let start: ContinuousClock.Instant

        func log(status: Int, bytes: Int) {
            let duration = ContinuousClock().now - start
            let route = endpoint.value.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
            metrics.finished(method: method, route: route, status: status, duration: duration)
            let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
            logger.log(level: status >= 500 ? .error : .info, "request", metadata: [
                "principal": .string(note.principal ?? "-"),
                "method": .string(method),
                "route": .string(route),
                "status": .stringConvertible(status),
                "duration_ms": .string(Self.milliseconds(microseconds)),
                "bytes": .stringConvertible(bytes),
            ])
        }

        /// `microseconds` as milliseconds with three decimals (`12.345`), without
        /// `String(format:)`, which costs more than the rest of the log line.
        static func milliseconds(_ microseconds: Int64) -> String {
            let fraction = String(microseconds % 1000)
            return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
        }
    }
}

/// The bytes of a response body written so far, shared between the writer and the log line.
private final class ByteCount: Sendable {
    let value = Atomic<Int>(0)
}
