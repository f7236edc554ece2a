import EventStore

/// Lists the access events (`DataAccessed`, stream `system-access`) by data subject, actor and
/// recorded-time window, a page at a time by stream version.
///
/// Synchronous and blocking (LMDB reads): call it through `offload`. At most `maxScan` access
/// events are examined per page; a short page then carries `next` to continue from.
struct AccessLog: Sendable {
    /// A page of access events, oldest first.
    struct Page: Sendable {
        var events: [RecordedEvent]
        /// The stream version of `system-access` to continue from, nil when nothing more matches.
        var next: UInt64?
    }

    /// The log holding the `system-access` stream.
    let store: EventStore
    /// The most access events one page examines.
    var maxScan = 16_384

    /// Access events recorded at or before log position `head`, from stream version `from`, that
    /// match every given filter; at most `limit`. `subject` matches an event naming it (or one of
    /// its aliases, `DataSubject.aliases`) as the record read or among the subjects read.
    func page(subject: String?, actor: String?, since: Int64?, until: Int64?, from: UInt64, head: UInt64, limit: Int) throws -> Page {
        let aliases = subject.map(DataSubject.aliases(of:))
        var found: [RecordedEvent] = []
        var version = Swift.max(from, 1)
        var scanned = 0
        while scanned < maxScan {
            let batch = try store.readStream(DataAccessed.stream, from: version, limit: Swift.min(512, maxScan - scanned))
            guard !batch.isEmpty else { return Page(events: found, next: nil) }
            for event in batch {
                scanned += 1
                version = event.streamVersion + 1
                // Recorded times never decrease along the log, so the first event past the head or
                // the window's end ends the search.
                if event.position > head { return Page(events: found, next: nil) }
                if let until, event.recordedAt >= until { return Page(events: found, next: nil) }
                if let since, event.recordedAt < since { continue }
                if let actor, event.actor.id != actor { continue }
                if let aliases {
                    guard event.type == DataAccessed.eventType,
                          (try? event.decode(DataAccessed.self))?.names(anyOf: aliases) == true else { continue }
                }
                found.append(event)
                if found.count == limit { return Page(events: found, next: version) }
            }
        }
        return Page(events: found, next: version)
    }
}
