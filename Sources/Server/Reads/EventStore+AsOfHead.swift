import EventStore

/// Reads pinned to a head read beforehand.
///
/// Each store read opens its own transaction, so an append may land between reading the head and
/// reading events. Handlers read the head first, send it as `X-Log-Position`, and use these to
/// leave out anything committed after it: the answer is then exactly the log up to that head.
extension EventStore {
    /// The last event of `stream` at or before `head`, or nil when the stream had none then.
    func lastEvent(of stream: String, asOf head: UInt64) throws(EventStoreError) -> RecordedEvent? {
        var from = UInt64.max
        var batch = 1
        while true {
            let events = try readStream(stream, from: from, direction: .backward, limit: batch)
            if let event = events.first(where: { $0.position <= head }) { return event }
            guard let oldest = events.last, oldest.streamVersion > 1, events.count == batch else { return nil }
            from = oldest.streamVersion - 1
            batch = Swift.min(batch * 4, 256)
        }
    }
}
