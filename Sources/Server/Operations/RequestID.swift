import Foundation
import HTTPTypes

/// The id that ties a request's log lines together, echoed in `X-Request-ID`.
///
/// A client (or a proxy in front) may send its own so that its logs and ours share it; it is
/// kept only when it is 1–128 characters of letters, digits, `-`, `_`, `.` and `:`, so that a
/// header cannot inject text into the log. Otherwise a new UUID is used.
enum RequestID {
    static let maxLength = 128

    /// The incoming id when it is acceptable, else a fresh one.
    static func resolve(_ incoming: String?) -> String {
        if let incoming, isValid(incoming) { return incoming }
        return UUID().uuidString.lowercased()
    }

    static func isValid(_ text: String) -> Bool {
        guard (1...maxLength).contains(text.utf8.count) else { return false }
        return text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
    }
}

extension HTTPField.Name {
    /// The request's id, accepted from the client or generated (`RequestID`).
    static let requestID = HTTPField.Name("X-Request-ID")!
}
