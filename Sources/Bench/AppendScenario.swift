/// One append workload: how many writers append concurrently and how many events each append carries.
///
/// Each writer appends to its own stream with `expected: .any`, one append after the other, for
/// the duration of a run; the throughput is every event committed divided by the wall time until
/// the last writer's last append returned.
public struct AppendScenario: Sendable, Codable, Hashable {
    public var writers: Int
    public var eventsPerAppend: Int

    public init(writers: Int, eventsPerAppend: Int) {
        self.writers = writers
        self.eventsPerAppend = eventsPerAppend
    }

    /// A short label for tables and progress lines.
    public var name: String {
        eventsPerAppend == 1
            ? "\(writers) writer\(writers == 1 ? "" : "s") × 1 event"
            : "\(writers) writer\(writers == 1 ? "" : "s") × \(eventsPerAppend) events"
    }

    /// The scenarios the issue asks for: single-event appends from 1, 8 and 64 concurrent writers,
    /// and 8 writers sending batches of 100.
    public static let standard: [AppendScenario] = [
        AppendScenario(writers: 1, eventsPerAppend: 1),
        AppendScenario(writers: 8, eventsPerAppend: 1),
        AppendScenario(writers: 64, eventsPerAppend: 1),
        AppendScenario(writers: 8, eventsPerAppend: 100),
    ]
}
