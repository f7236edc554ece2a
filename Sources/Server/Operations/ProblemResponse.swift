import Hummingbird
import HTTPTypes

extension APIError {
    /// The problem+json response for this error, for middleware that sits outside
    /// `ProblemMiddleware` and answers by itself (429, 405), with extra headers such as
    /// `Retry-After` or `Allow`.
    func response(path: String, headers extra: HTTPFields = [:]) throws -> Response {
        let body = try JSONBody.encode(problem(instance: path))
        var headers = extra
        headers[.contentType] = "application/problem+json"
        headers[.contentLength] = String(body.count)
        return Response(status: code.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
