import Hummingbird
import HTTPTypes

/// The answer to a command: `{stream, streamVersion, position, positions, events}` with
/// `ETag: "<streamVersion>"` (usable as the next `If-Match`), `X-Log-Position` (the last position
/// written, or the head when nothing was) and, for creations, `Location`.
///
/// Built from a `StoredAnswer`, so a first answer and its idempotent replays are the same bytes.
struct CommandAnswer: ResponseGenerator {
    var stored: StoredAnswer

    /// The JSON body of an answer.
    struct Body: Codable, Equatable {
        var stream: String
        var streamVersion: UInt64
        /// The last global position written (the head when the command changed nothing).
        var position: UInt64
        var positions: [UInt64]
        /// Type names of the events written.
        var events: [String]
    }

    func response(from request: Request, context: some RequestContext) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = stored.contentType
        headers[.contentLength] = String(stored.body.utf8.count)
        headers[.logPosition] = String(stored.position)
        if let etag = stored.etag { headers[.eTag] = etag }
        if let location = stored.location { headers[.location] = location }
        return Response(status: HTTPResponse.Status(code: stored.status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: stored.body)))
    }
}
