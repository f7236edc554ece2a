/// A page of one customer's intervals, oldest first; `next` is the cursor of the following page.
public struct StateHistoryPage: Sendable, Codable, Equatable {
    public var intervals: [StateInterval]
    public var next: String?

    public init(intervals: [StateInterval], next: String?) {
        self.intervals = intervals
        self.next = next
    }
}
