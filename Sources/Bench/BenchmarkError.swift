/// Why a benchmark could not run: a subject failed to open, write or read.
///
/// The benchmark never reports a figure from a run that failed, so every failure ends the run with
/// one of these instead of a partial table.
public struct BenchmarkError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
