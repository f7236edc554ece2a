extension APIOperations {
    /// The feed routes.
    static let feed: [APIOperation] = [
        APIOperation(method: "GET", path: "/v1/feed", summary: "The live event feed (server-sent events)",
                     description: "Catches up from `from`, then follows the log live. Each event is `id: <position>`, `event: <type>`, `data: <the event JSON>`; a comment line every 15 s while idle. Reconnect with `Last-Event-ID` to continue after the last event received. " + rawEvents, tag: "events",
                     parameters: [.query("from", "The first position (inclusive); default: the next event to be appended.", schema: Schema.position),
                                  .query("through", "End the stream after this position instead of following the log live.", schema: Schema.position),
                                  .query("types", "Comma-separated event types to keep."),
                                  .header("Last-Event-ID", "Continue after this position (wins over `from`).", schema: Schema.position)],
                     response: Schema.string, responseMediaType: "text/event-stream", errors: [429]),
    ]
    /// The schemas the feed routes refer to.
    static let feedSchemas: [String: JSONValue] = [:]
}
