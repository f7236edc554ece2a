import Hummingbird
import HTTPTypes

/// Refuses a request body larger than `ServerConfiguration.maxBodyBytes` with 413
/// `payload-too-large`, without reading it.
///
/// A declared `Content-Length` over the limit is refused at once. A body without one (chunked) is
/// passed on wrapped in `LimitedRequestBody`, which fails as soon as the bytes received pass the
/// limit, so a handler reading it gets the 413 instead of buffering an unbounded body.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else {
                throw APIError(.badRequest, "Content-Length must be a non-negative integer, got '\(declared)'")
            }
            guard length <= maxBytes else { throw APIError.payloadTooLarge(limit: maxBytes) }
            return try await next(request, context)
        }
        var request = request
        request.body = RequestBody(asyncSequence: LimitedRequestBody(base: request.body, maxBytes: maxBytes))
        return try await next(request, context)
    }
}

extension APIError {
    /// 413: the body passed the configured limit.
    static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.payloadTooLarge, "the request body is larger than \(limit) bytes, this server's limit")
    }
}

/// A request body that throws 413 `payload-too-large` once more than `maxBytes` have arrived.
struct LimitedRequestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let maxBytes: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let maxBytes: Int
        var received = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            received += buffer.readableBytes
            guard received <= maxBytes else { throw APIError.payloadTooLarge(limit: maxBytes) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), maxBytes: maxBytes) }
}
