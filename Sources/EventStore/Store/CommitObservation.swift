/// One group commit as seen by `EventStore.observeCommits`: how many append requests were
/// grouped into the transaction and how many events they wrote.
public struct CommitObservation: Sendable, Equatable {
    /// Append requests (including checkpoint-only requests) committed together.
    public var requests: Int
    /// Events written by the commit.
    public var events: Int

    public init(requests: Int, events: Int) {
        self.requests = requests
        self.events = events
    }
}
