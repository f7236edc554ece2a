import Foundation
/// The log from a position onward: first the events already stored (catch-up), then each new event
/// as it commits (live), in position order with no gap and no repeat across the switch.
///
/// Pull-based, so it has natural back-pressure: the next page is read only when the consumer asks
/// for more, and at most `pageSize` events are held. No read transaction is held between pages or
/// while waiting for new events, so an idle subscriber pins no pages and holds no reader slot.
/// Cancelling the consuming task ends the wait at once; the sequence then finishes.
public struct Subscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    let store: EventStore
    let start: UInt64
    let pageSize: Int
    let types: Set<String>?

    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, next: Swift.max(start, 1), pageSize: pageSize, types: types)
    }

    /// Yields events in order; ends (returns nil) when the store closes or the task is cancelled.
    public struct Iterator: AsyncIteratorProtocol {
        let store: EventStore
        var next: UInt64
        let pageSize: Int
        let types: Set<String>?
        var buffer: [RecordedEvent] = []
        var index = 0

        public mutating func next() async throws -> RecordedEvent? {
            while index >= buffer.count {
                if Task.isCancelled { return nil }
                if store.headWatch.head >= next {
                    let page = try store.readPage(from: next, limit: pageSize, types: types)
                    buffer = page.events
                    index = 0
                    next = page.next
                    continue
                }
                do {
                    guard try await store.headWatch.wait(beyond: next - 1) else { return nil }
                } catch is CancellationError {
                    return nil
                }
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

extension EventStore {
    /// Subscribes to the log from `position` (inclusive), optionally to some event types only.
    public func subscribe(from position: UInt64 = 1, types: Set<String>? = nil, pageSize: Int = 512) -> Subscription {
        Subscription(store: self, start: position, pageSize: Swift.max(pageSize, 1), types: types)
    }
}
