import EventStore

/// The `text/event-stream` framing of the feed (WHATWG HTML, "Server-sent events").
///
/// An event is `id: <position>`, `event: <type>` and `data: <the event's JSON>` lines and a blank
/// line. The event JSON (`RecordedEvent.json`) never holds a raw line break (the writer escapes
/// them), so it is always one `data` line; a type is stored text that could, from a raw
/// integration append, hold CR or LF, which are replaced by spaces so they cannot end the field.
enum ServerSentEvent {
    /// Appends `event` as one server-sent event to `out`.
    static func append(_ event: RecordedEvent, to out: inout [UInt8]) {
        out.append(contentsOf: Array("id: \(event.position)\nevent: ".utf8))
        for byte in event.type.utf8 {
            out.append(byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") ? UInt8(ascii: " ") : byte)
        }
        out.append(contentsOf: Array("\ndata: ".utf8))
        event.appendJSON(to: &out)
        out.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: "\n")])
    }

    /// A comment line: ignored by clients, it keeps proxies and load balancers from closing an idle
    /// connection and lets the server notice a client that has gone.
    static let heartbeat = Array(": heartbeat\n\n".utf8)

    /// The opening of every feed: how long a client waits before reconnecting (with
    /// `Last-Event-ID`) after the connection drops, in milliseconds.
    static let preamble = Array("retry: 2000\n\n".utf8)
}
