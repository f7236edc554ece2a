import Hummingbird
import HTTPTypes

/// A JSON answer and the log head it reflects, sent with `X-Log-Position`.
struct LogAnswer: ResponseGenerator {
    /// The head position the answer was computed at.
    var position: UInt64
    var body: [UInt8]
    var status: HTTPResponse.Status = .ok

    init(position: UInt64, body: [UInt8], status: HTTPResponse.Status = .ok) {
        self.position = position
        self.body = body
        self.status = status
    }

    /// Encodes `value` with `JSONBody`.
    init(position: UInt64, encoding value: some Encodable) throws {
        self.init(position: position, body: try JSONBody.encode(value))
    }

    func response(from request: Request, context: some RequestContext) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.count)
        headers[.logPosition] = String(position)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
