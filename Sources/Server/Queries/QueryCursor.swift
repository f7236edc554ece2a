import Foundation

/// The opaque `cursor` / `next` of every paginated query answer.
///
/// The read models' own cursors are index keys (some with control characters, some base64 with
/// `+`, `/` and `=`); wrapping them in unpadded base64url makes every `next` safe to paste into a
/// query string as is. A page ends exactly after the last item it holds and the next one starts
/// right after it in the same stable order, so following `next` yields every row once, without
/// gaps or repeats, even while rows are added elsewhere.
enum QueryCursor {
    /// Wraps a read model's cursor.
    static func encode(_ inner: String) -> String {
        Data(inner.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Unwraps `cursor`; 400 `invalid-parameter` (`cursor`) when it is not one this API produced.
    static func decode(_ cursor: String) throws(APIError) -> String {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        guard !cursor.isEmpty, let data = Data(base64Encoded: base64), let inner = String(data: data, encoding: .utf8) else {
            throw .invalidParameter("cursor", "cursor is not a cursor this API produced: '\(cursor)'")
        }
        return inner
    }

    /// The `cursor` query parameter, unwrapped.
    static func parameter(_ query: QueryParameters) throws(APIError) -> String? {
        guard let text = try query.identifier("cursor") else { return nil }
        return try decode(text)
    }
}
