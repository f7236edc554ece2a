import EventStore
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Writes the log from a position to a response body as server-sent events: first what is stored
/// (catch-up, a page at a time), then each event as it commits (live, woken by the log's
/// `headWatch`), with a heartbeat comment while idle.
///
/// The switch from catch-up to live reads by position, so no event is skipped or repeated. It ends
/// when the client goes away (a write fails, at the latest at the next heartbeat), when the server
/// shuts down gracefully, or when the store closes; no task is left running.
struct FeedStream: Sendable {
    /// The log followed.
    let store: EventStore
    /// Only these event types, when given (filtered on the envelope header).
    let types: Set<String>?
    /// How long to wait idle before a heartbeat comment.
    let heartbeat: Duration
    /// Events read per catch-up page: the most the feed holds in memory at once.
    var pageSize = 256

    /// Streams from position `start` (inclusive) until the feed must end, or, with `through`,
    /// until the event at that position has been sent (a bounded replay).
    func run(from start: UInt64, through: UInt64? = nil, to writer: inout any ResponseBodyWriter) async throws {
        let (store, types, pageSize) = (store, types, pageSize)
        try await writer.write(ByteBuffer(bytes: ServerSentEvent.preamble))
        var next = Swift.max(start, 1)
        let last = through ?? .max
        while next <= last, !Task.isCancelled, !Task.isShuttingDownGracefully {
            if store.headWatch.head >= next {
                let from = next
                let page: LogPage
                do {
                    page = try await offload { try store.readPage(from: from, limit: pageSize, types: types) }
                } catch EventStoreError.closed {
                    return
                }
                var bytes: [UInt8] = []
                for event in page.events where event.position <= last { ServerSentEvent.append(event, to: &bytes) }
                if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
                next = Swift.max(page.next, from + 1)
                continue
            }
            switch await FeedWake.wait(on: store.headWatch, beyond: next - 1, heartbeat: heartbeat) {
            case .advanced: continue
            case .heartbeat: try await writer.write(ByteBuffer(bytes: ServerSentEvent.heartbeat))
            case .finished: return
            }
        }
    }
}
