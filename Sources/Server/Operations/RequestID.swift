import Foundation
import HTTPTypes
import Synchronization

/// The id that ties a request's log lines together, echoed in `X-Request-ID`.
///
/// A client (or a proxy in front) may send its own so that its logs and ours share it; it is
/// kept only when it is 1–128 characters of letters, digits, `-`, `_`, `.` and `:`, so that a
/// header cannot inject text into the log. Otherwise a new id is made: UUID-shaped (8-4-4-4-12
/// lowercase hex digits), its first 64 bits drawn at random once per process and its last 64 a
/// counter, so ids are unique within a run and, with overwhelming likelihood, across runs. A
/// random UUID per request (a `getrandom` call and Foundation's formatting) cost about a tenth of
/// `/health`'s throughput.
enum RequestID {
    static let maxLength = 128

    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    /// The incoming id when it is acceptable, else a fresh one.
    static func resolve(_ incoming: String?) -> String {
        if let incoming, isValid(incoming) { return incoming }
        return fresh()
    }

    /// A new id of this process.
    static func fresh() -> String {
        let (_, count) = counter.add(1, ordering: .relaxed)
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            func put(_ value: UInt64) {
                for shift in stride(from: 60, through: 0, by: -4) {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = hex[Int((value >> UInt64(shift)) & 0xF)]
                    index += 1
                }
            }
            put(prefix)
            put(count)
            return index
        }
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
