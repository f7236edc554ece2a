/// Whole UTC days of business time: the unit of the state cycle's windows and of its schedule of
/// time-driven re-evaluations.
public enum BusinessDay {
    /// Milliseconds per day.
    public static let milliseconds: Int64 = 86_400_000

    /// The day number (days since 1970-01-01 UTC) of a time in ms, rounding down.
    public static func of(_ time: Int64) -> Int64 {
        time >= 0 ? time / milliseconds : -((-time + milliseconds - 1) / milliseconds)
    }

    /// 00:00 UTC of `day`, in ms.
    public static func start(_ day: Int64) -> Int64 { day * milliseconds }
}
