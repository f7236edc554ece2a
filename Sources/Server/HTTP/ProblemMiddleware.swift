import Hummingbird
import HTTPTypes
import Logging

/// Turns every error thrown below it (by a handler, the store, or the router's "no route") into
/// an `application/problem+json` response; server-side failures are logged with their cause.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let path = request.uri.path
            let apiError = APIError(translating: error, method: request.method, path: path)
            if apiError.code.status.kind == .serverError {
                context.logger.error("request failed", metadata: [
                    "code": "\(apiError.code.rawValue)", "error": "\(error)", "path": "\(path)",
                ])
            }
            let body = try JSONBody.encode(apiError.problem(instance: path))
            var headers = HTTPFields()
            headers[.contentType] = "application/problem+json"
            headers[.contentLength] = String(body.count)
            if apiError.code == .unauthenticated {
                // RFC 9110 §11.6.1: a 401 names the scheme the client should use.
                headers[.wwwAuthenticate] = #"Bearer realm="crm""#
            }
            return Response(status: apiError.code.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
