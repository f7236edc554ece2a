import Foundation

/// Business time in the simulation: milliseconds since the epoch (UTC), with the calendar facts
/// the simulation needs (day, weekday, month, ISO week) and the working hours of its staff.
///
/// Whole milliseconds keep every timestamp exact through `Timestamp.format`, and plain integer
/// arithmetic keeps the calendar identical on every platform. Working hours are in UTC, 07:00–17:00
/// (the company's 08:00–18:00 in central Europe).
enum SimulationClock {
    static let second: Int64 = 1000
    static let minute: Int64 = 60 * second
    static let hour: Int64 = 60 * minute
    static let day: Int64 = 24 * hour
    static let week: Int64 = 7 * day

    /// The first and last working hour (UTC) of office staff.
    static let officeHours: Range<Int64> = 7..<17
    /// Service desk hours (UTC): longer, and Saturday mornings.
    static let serviceHours: Range<Int64> = 6..<19

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    /// Midnight of `YYYY-MM-DD`, or nil when malformed.
    static func parseDay(_ text: String) -> Int64? {
        Timestamp.parseMilliseconds(text + "T00:00:00.000Z")
    }

    /// Days since the epoch.
    static func dayNumber(_ ms: Int64) -> Int64 { ms >= 0 ? ms / day : (ms - day + 1) / day }

    static func startOfDay(_ ms: Int64) -> Int64 { dayNumber(ms) * day }

    /// 0 = Monday … 6 = Sunday.
    static func weekday(_ ms: Int64) -> Int { Int((dayNumber(ms) + 3) % 7) }

    static func isWeekend(_ ms: Int64) -> Bool { weekday(ms) >= 5 }

    /// (year, month 1–12, day 1–31).
    static func civil(_ ms: Int64) -> (year: Int, month: Int, day: Int) {
        let (y, m, d) = Timestamp.civil(fromDays: dayNumber(ms))
        return (Int(y), Int(m), Int(d))
    }

    static func month(_ ms: Int64) -> Int { civil(ms).month }

    /// Midnight of the first day of a month.
    static func startOfMonth(year: Int, month: Int) -> Int64 {
        Timestamp.daysFromCivil(year: Int64(year), month: Int64(month), day: 1) * day
    }

    /// The ISO-8601 week of `ms`, e.g. `2025-W07`.
    static func isoWeek(_ ms: Int64) -> String {
        let thursday = startOfDay(ms) + Int64(3 - weekday(ms)) * day
        let year = civil(thursday).year
        let firstDay = Timestamp.daysFromCivil(year: Int64(year), month: 1, day: 1) * day
        let week = (thursday - firstDay) / self.week + 1
        return "\(year)-W\(week < 10 ? "0" : "")\(week)"
    }

    /// `YYYY-MM-DD`.
    static func dayText(_ ms: Int64) -> String { String(Timestamp.format(milliseconds: ms).prefix(10)) }

    /// The earliest moment at or after `ms` within office hours on a weekday.
    static func nextOfficeTime(_ ms: Int64, _ random: inout SimulationRandom) -> Int64 {
        nextWorkingTime(ms, hours: officeHours, saturday: false, &random)
    }

    /// The earliest moment at or after `ms` within service desk hours (Monday–Saturday).
    static func nextServiceTime(_ ms: Int64, _ random: inout SimulationRandom) -> Int64 {
        nextWorkingTime(ms, hours: serviceHours, saturday: true, &random)
    }

    /// `ms` if it falls within working hours; otherwise a moment within the next working hours
    /// (work that arrives out of hours is picked up in the course of the next working day, work
    /// that arrives over the weekend in the first days of the week).
    static func nextWorkingTime(_ ms: Int64, hours: Range<Int64>, saturday: Bool, _ random: inout SimulationRandom) -> Int64 {
        let dayStart = startOfDay(ms)
        let weekday = weekday(ms)
        let workday = weekday < 5 || (saturday && weekday == 5)
        let hourOfDay = (ms - dayStart) / hour
        if workday && hours.contains(hourOfDay) { return ms }
        if workday && hourOfDay < hours.lowerBound { return early(dayStart, hours: hours, saturday: saturday, &random) }
        var next = dayStart + day
        while !(self.weekday(next) < 5 || (saturday && self.weekday(next) == 5)) { next += day }
        if !workday && !saturday { next += Int64(random.weightedIndex([0.5, 0.3, 0.2])) * day }
        return early(next, hours: hours, saturday: saturday, &random)
    }

    /// The service desk works through the night's backlog first thing; office staff spread it
    /// over the day.
    private static func early(_ dayStart: Int64, hours: Range<Int64>, saturday: Bool, _ random: inout SimulationRandom) -> Int64 {
        saturday ? dayStart + hours.lowerBound * hour + random.int64(0...(2 * hour)) : workingMoment(on: dayStart, hours: hours, &random)
    }

    /// A moment within `hours` of the day starting at `dayStart`, busier in the morning.
    static func workingMoment(on dayStart: Int64, hours: Range<Int64>, _ random: inout SimulationRandom) -> Int64 {
        let weights = hours.map { h -> Double in h - hours.lowerBound < 2 ? 1.4 : h >= hours.upperBound - 2 ? 0.7 : 1.0 }
        let hour = hours.lowerBound + Int64(random.weightedIndex(weights))
        return dayStart + hour * self.hour + random.int64(0...(self.hour - 1))
    }

    /// A moment within office hours of the last weekday before `ms`.
    static func lastOfficeMoment(before ms: Int64, _ random: inout SimulationRandom) -> Int64 {
        var day = startOfDay(ms)
        if (ms - day) / hour < officeHours.upperBound { day -= self.day }
        while isWeekend(day) { day -= self.day }
        return min(ms - 1, workingMoment(on: day, hours: officeHours, &random))
    }

    /// A random moment within office hours of the day starting at `dayStart`, weighted towards the
    /// morning and early afternoon.
    static func officeMoment(on dayStart: Int64, _ random: inout SimulationRandom) -> Int64 {
        let hour = random.weighted([(7, 0.8), (8, 1.3), (9, 1.4), (10, 1.3), (11, 1.0), (12, 1.1), (13, 1.3), (14, 1.1), (15, 0.8), (16, 0.5)] as [(Int64, Double)])
        return dayStart + hour * self.hour + random.int64(0...(self.hour - 1))
    }

    /// A moment of the day at which customers use web forms and the shop: around the clock, with
    /// an evening peak.
    static func onlineMoment(on dayStart: Int64, _ random: inout SimulationRandom) -> Int64 {
        let weights: [Double] = [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.0, 1.4, 1.5, 1.5, 1.4, 1.3, 1.4, 1.4, 1.3, 1.3, 1.4, 1.7, 2.0, 2.1, 1.8, 1.2, 0.6]
        let hour = Int64(random.weightedIndex(weights))
        return dayStart + hour * self.hour + random.int64(0...(self.hour - 1))
    }
}
