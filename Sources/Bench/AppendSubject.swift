/// An engine the suite drives with concurrent appends.
///
/// The suite sees every subject through this one shape, so the measuring loop, the clock and the
/// workload are identical for all of them: only the engine behind `append` differs.
protocol AppendSubject: Sendable {
    var kind: SubjectKind { get }

    /// Appends `count` events carrying `BenchmarkPayload.data` to `stream` as one atomic append,
    /// returning only once they are durably committed (fsync done).
    func append(stream: String, count: Int) async throws

    /// Write transactions committed since the subject was opened; the suite divides events by this
    /// to report how many events each commit (each fsync) carried.
    func commitCount() throws -> UInt64

    /// Finishes queued work and releases the files. Called once, after the last append.
    func close()
}
