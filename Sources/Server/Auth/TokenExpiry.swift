/// Parses the `--expires` of `crm token create`: a lifetime (`30d`, `12h`, `45m`) or an ISO-8601
/// date or date-time (`2026-01-31`, `2026-01-31T18:00:00Z`).
public enum TokenExpiry {
    /// The expiry time in milliseconds since the epoch, or nil when `text` is neither form.
    public static func milliseconds(from text: String, now: Int64) -> Int64? {
        let units: [Character: Int64] = ["d": 86_400_000, "h": 3_600_000, "m": 60_000]
        if let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0,
           count <= Int64.max / unit - now / unit - 1 {
            return now + count * unit
        }
        return ISO8601Timestamp.milliseconds(from: text)
    }
}
