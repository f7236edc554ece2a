import EventStore
import Foundation
import Hummingbird
import HTTPTypes

/// A read-model answer: JSON, the log position it reflects (`X-Log-Position`), and a strong
/// `ETag` so that clients polling a screen can revalidate cheaply.
///
/// The entity tag is the SHA-256 of the body without its top-level `position` member: equal
/// bodies are equal bytes (`JSONBody` sorts keys), so the tag changes exactly when what the answer
/// says does, whatever read model, scope or parameters produced it, but not merely because the
/// log grew by events that read model ignores. (Every read of personal data appends an access
/// event, so without this no answer would ever revalidate.) A request whose `If-None-Match` names
/// the tag (or is `*`) gets 304 with no body, the same `ETag` and the current `X-Log-Position`.
struct QueryAnswer: ResponseGenerator {
    /// The log position the read model reflected when the answer was computed.
    var position: UInt64
    var body: [UInt8]
    /// The tag of `body` when it is known already (a kept answer, `Customer360Cache`).
    private var knownTag: String?

    /// Encodes `value` with `JSONBody`.
    init(position: UInt64, encoding value: some Encodable) throws {
        self.position = position
        self.body = try JSONBody.encode(value)
    }

    /// An answer already encoded as `JSONBody` does; `entityTag`, when given, must be the tag
    /// of `body` (as computed by `entityTag` without it).
    init(position: UInt64, body: [UInt8], entityTag: String? = nil) {
        self.position = position
        self.body = body
        self.knownTag = entityTag
    }

    /// The quoted strong entity tag of `body`.
    var entityTag: String {
        if let knownTag { return knownTag }
        var tagged = body
        if let range = Self.topLevelPosition(in: body) { tagged.removeSubrange(range) }
        let digest = tagged.withUnsafeBytes { SHA256Digest.hash($0) }
        return "\"\(digest.description)\""
    }

    /// The bytes of the member `"position":<integer>` of the outermost object of `body` (compact
    /// JSON as `JSONBody` writes it), nil when it has none. One pass, tracking strings and depth.
    static func topLevelPosition(in body: [UInt8]) -> Range<Int>? {
        let key = Array(#""position":"#.utf8)
        var depth = 0, inString = false, escaped = false, index = 0
        while index < body.count {
            let byte = body[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    // At depth 1 a string followed by a colon is a key of the outermost object.
                    if depth == 1, body[index...].starts(with: key) {
                        var end = index + key.count
                        while end < body.count, body[end] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(body[end]) {
                            end += 1
                        }
                        return index..<end
                    }
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
            }
            index += 1
        }
        return nil
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
