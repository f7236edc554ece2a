import Foundation

/// Business days and the labels of the coarser grains, in UTC, computed arithmetically (no
/// `Calendar`), so cells and answers are the same on every machine.
public enum CubeCalendar {
    static let dayMilliseconds: Int64 = 86_400_000
    /// The time grains, finest first.
    static let grains: [CubeDimension] = [.day, .week, .month, .quarter, .year]

    /// Days since 1970-01-01 of a business time (floored, so times before 1970 work too).
    public static func day(_ date: Date) -> Int64 {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        return milliseconds(ms)
    }

    /// Days since 1970-01-01 of a time in milliseconds.
    static func milliseconds(_ ms: Int64) -> Int64 {
        ms >= 0 ? ms / dayMilliseconds : -((-ms + dayMilliseconds - 1) / dayMilliseconds)
    }

    /// (year, month, day) of a day number (Howard Hinnant's civil-from-days).
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The day number of a civil date.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The first day of the month that holds `day`.
    static func monthStart(_ day: Int64) -> Int64 {
        day - (civil(day).day - 1)
    }

    /// The label of `day` at `grain` (a business dimension gives the day's label).
    public static func label(_ day: Int64, _ grain: CubeDimension) -> String {
        let (y, m, d) = civil(day)
        switch grain {
        case .week:
            // ISO 8601: weeks start on Monday; the week belongs to the year of its Thursday.
            let weekday = ((day + 3) % 7 + 7) % 7  // 0 = Monday (1970-01-01 was a Thursday)
            let thursday = day - weekday + 3
            let year = civil(thursday).year
            let week = (thursday - days(year: year, month: 1, day: 1)) / 7 + 1
            return "\(year)-W\(pad(week))"
        case .month: return "\(y)-\(pad(m))"
        case .quarter: return "\(y)-Q\((m - 1) / 3 + 1)"
        case .year: return "\(y)"
        default: return "\(y)-\(pad(m))-\(pad(d))"
        }
    }

    private static func pad(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
