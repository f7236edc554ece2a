import EventStore
import Foundation
import Hummingbird
import HTTPTypes

/// A read-model answer: JSON, the log position it reflects (`X-Log-Position`), and a strong
/// `ETag` so that clients polling a screen can revalidate cheaply.
///
/// The entity tag is the SHA-256 of the body: equal bodies are equal bytes (`JSONBody` sorts keys),
/// so the tag changes exactly when the answer does, whatever read model, scope or parameters
/// produced it. A request whose `If-None-Match` names the tag (or is `*`) gets 304 with no body but
/// the same `ETag` and `X-Log-Position`.
struct QueryAnswer: ResponseGenerator {
    /// The log position the read model reflected when the answer was computed.
    var position: UInt64
    var body: [UInt8]

    /// Encodes `value` with `JSONBody`.
    init(position: UInt64, encoding value: some Encodable) throws {
        self.position = position
        self.body = try JSONBody.encode(value)
    }

    /// The quoted strong entity tag of `body`.
    var entityTag: String {
        let digest = body.withUnsafeBytes { SHA256Digest.hash($0) }
        return "\"\(digest.description)\""
    }

    /// Whether `If-None-Match` (a list of tags, possibly weak, or `*`) matches `tag`. The weak
    /// comparison RFC 9110 prescribes for `If-None-Match` ignores a `W/` prefix.
    static func matches(ifNoneMatch header: String, tag: String) -> Bool {
        header.split(separator: ",").contains { item in
            var candidate = item.trimmingCharacters(in: .whitespaces)
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            return candidate == tag
        }
    }

    func response(from request: Request, context: some RequestContext) -> Response {
        let tag = entityTag
        var headers = HTTPFields()
        headers[.eTag] = tag
        headers[.logPosition] = String(position)
        headers[.cacheControl] = "no-cache"
        if let condition = request.headers[.ifNoneMatch], Self.matches(ifNoneMatch: condition, tag: tag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
