import Hummingbird
import HTTPTypes

/// `GET /openapi.json`: the OpenAPI 3.1 document of this API (public, like `/health`), so
/// integrators and fuzzers read the contract from the server they talk to.
struct OpenAPIRoutes<Context: RequestContext> {
    func add(to router: Router<Context>) {
        router.get("/openapi.json", use: document)
    }

    @Sendable func document(_ request: Request, context: Context) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(OpenAPIDocument.json.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
    }
}
