extension APIOperations {
    /// Health, the document itself, the raw log, streams, the audit trail, stats and projectors.
    static let core: [APIOperation] = [
        APIOperation(method: "GET", path: "/health", summary: "Liveness: the process serves and can read the log", tag: "operations",
                     response: Schema.object(["status": Schema.string, "logPosition": Schema.position])),
        APIOperation(method: "GET", path: "/openapi.json", summary: "This document", tag: "operations"),
        APIOperation(method: "GET", path: "/v1/log/head", summary: "The log head: last position, its chain hash and time", tag: "log",
                     response: Schema.object(["position": Schema.position, "hash": Schema.string,
                                              "recordedAt": Schema.nullable(Schema.dateTime), "recordedAtMs": Schema.nullable(Schema.integer)])),
        APIOperation(method: "GET", path: "/v1/events", summary: "A page of the global log from a position", tag: "log",
                     parameters: [.query("from", "The first position (default 1).", schema: Schema.position), .limit,
                                  .query("types", "Comma-separated event types to keep.")],
                     response: Schema.ref("EventPage")),
        APIOperation(method: "GET", path: "/v1/events/{position}", summary: "One event by its log position", tag: "log",
                     parameters: [.path("position", "The log position.", schema: Schema.position)],
                     response: Schema.ref("Event"), errors: [404]),
        APIOperation(method: "GET", path: "/v1/streams/{stream}", summary: "A stream's version and last event", tag: "log",
                     parameters: [.path("stream", "The stream name, e.g. `customer-C0001`.")],
                     response: Schema.object(["stream": Schema.string, "version": Schema.position, "lastPosition": Schema.position,
                                              "lastType": Schema.string, "lastRecordedAt": Schema.dateTime]),
                     errors: [404]),
        APIOperation(method: "GET", path: "/v1/streams/{stream}/events", summary: "A stream's events, forward or backward", tag: "log",
                     parameters: [.path("stream", "The stream name."),
                                  .query("from", "The stream version to start at.", schema: Schema.position),
                                  .query("direction", "Read direction (default forward).", schema: Schema.string(enum: ["forward", "backward"])),
                                  .limit],
                     response: Schema.object(["stream": Schema.string, "version": Schema.position, "direction": Schema.string,
                                              "events": Schema.array(of: Schema.ref("Event")), "next": Schema.nullable(Schema.position)]),
                     errors: [404]),
        APIOperation(method: "GET", path: "/v1/audit/events", summary: "Who did what: events by actor and time window", tag: "audit",
                     parameters: [.query("actor", "The actor's id."), .query("since", "Window start (ISO-8601).", schema: Schema.dateTime),
                                  .query("until", "Window end, exclusive (ISO-8601).", schema: Schema.dateTime),
                                  .query("from", "The log position to continue from.", schema: Schema.position), .limit],
                     response: Schema.ref("EventPage")),
        APIOperation(method: "GET", path: "/v1/audit/verify", summary: "Recompute the hash chain and check the signed checkpoints", tag: "audit"),
        APIOperation(method: "GET", path: "/v1/stats", summary: "Store statistics: events, streams, sizes", tag: "operations"),
        APIOperation(method: "GET", path: "/v1/projections", summary: "Status of every projector", tag: "operations"),
        APIOperation(method: "GET", path: "/v1/projections/{name}", summary: "Status of one projector", tag: "operations",
                     parameters: [.path("name", "The projector's name.")], errors: [404]),
        APIOperation(method: "POST", path: "/v1/projections/{name}/rebuild", summary: "Rebuild a read model in a shadow generation, then swap", tag: "operations",
                     parameters: [.path("name", "The projector's name.")], successStatus: 202, errors: [404]),
    ]

    /// The log's event and page shapes.
    static let coreSchemas: [String: JSONValue] = [
        "Event": Schema.object([
            "position": Schema.position, "id": Schema.string, "stream": Schema.string, "streamVersion": Schema.position,
            "type": Schema.string, "schemaVersion": Schema.integer, "recordedAt": Schema.dateTime,
            "data": Schema.anyObject, "metadata": Schema.anyObject, "hash": Schema.string,
        ]),
        "EventPage": Schema.object(["events": Schema.array(of: Schema.ref("Event")), "next": Schema.nullable(Schema.position)]),
    ]
}
