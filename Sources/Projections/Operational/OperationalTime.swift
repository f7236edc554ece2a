import Foundation

/// Time arithmetic the operational views share, done in whole milliseconds and UTC civil dates so
/// that keys and buckets never depend on the machine's calendar, time zone or locale.
public enum OperationalTime {
    /// Milliseconds since the Unix epoch, rounded to the nearest millisecond (event times are
    /// stored with millisecond precision, so this is exact for them).
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The UTC calendar month of `date` as `yyyy-MM`, which sorts in time order.
    public static func monthKey(_ date: Date) -> String {
        let ms = milliseconds(date)
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let (year, month, _) = civil(fromDays: days)
        let m = month < 10 ? "0\(month)" : "\(month)"
        var y = String(year)
        while y.count < 4 { y = "0" + y }
        return "\(y)-\(m)"
    }

    /// Year, month and day of the proleptic Gregorian calendar for days since 1970-01-01
    /// (H. Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Whole minutes from `from` to `to` (negative when `to` is earlier), truncated toward zero.
    public static func minutes(from: Date, to: Date) -> Int64 {
        (milliseconds(to) - milliseconds(from)) / 60_000
    }
}
