extension APIOperations {
    /// Health, the document itself, the raw log, streams, the audit trail, stats and projectors.
    static let core: [APIOperation] = [
        APIOperation(method: "GET", path: "/health", summary: "Liveness: the process serves and can read the log", tag: "operations",
                     response: Schema.object(["status": Schema.string, "logPosition": Schema.position])),
        APIOperation(method: "GET", path: "/openapi.json", summary: "This document", tag: "operations"),
        APIOperation(method: "GET", path: "/v1/log/head", summary: "The log head: last position, its chain hash and time", tag: "log",
                     response: Schema.object(["position": Schema.position, "hash": Schema.string,
                                              "recordedAt": Schema.nullable(Schema.dateTime), "recordedAtMs": Schema.nullable(Schema.integer)])),
        APIOperation(method: "GET", path: "/v1/events", summary: "A page of the global log from a position",
                     description: rawEvents, tag: "log",
                     parameters: [.query("from", "The first position (default 1).", schema: Schema.position), .limit,
                                  .query("types", "Comma-separated event types to keep.")],
                     response: Schema.ref("EventPage")),
        APIOperation(method: "GET", path: "/v1/events/{position}", summary: "One event by its log position", description: rawEvents, tag: "log",
                     parameters: [.path("position", "The log position.", schema: Schema.position)],
                     response: Schema.ref("Event"), errors: [404]),
        APIOperation(method: "GET", path: "/v1/streams/{stream}", summary: "A stream's version and last event", tag: "log",
                     parameters: [.path("stream", "The stream name, e.g. `customer-C0001`.")],
                     response: Schema.object(["stream": Schema.string, "version": Schema.position, "lastPosition": Schema.position,
                                              "lastType": Schema.string, "lastRecordedAt": Schema.dateTime]),
                     errors: [404]),
        APIOperation(method: "GET", path: "/v1/streams/{stream}/events", summary: "A stream's events, forward or backward",
                     description: rawEvents, tag: "log",
                     parameters: [.path("stream", "The stream name."),
                                  .query("from", "The stream version to start at.", schema: Schema.position),
                                  .query("direction", "Read direction (default forward).", schema: Schema.string(enum: ["forward", "backward"])),
                                  .limit],
                     response: Schema.object(["stream": Schema.string, "version": Schema.position, "direction": Schema.string,
                                              "events": Schema.array(of: Schema.ref("Event")), "next": Schema.nullable(Schema.position)]),
                     errors: [404]),
        APIOperation(method: "GET", path: "/v1/audit/events", summary: "Who did what to which record, when and from where",
                     description: "Events matching every given filter, oldest first. Answered from the audit index for the part of the log it reflects and from the log after it, so the page is complete up to `X-Log-Position`. " + rawEvents, tag: "audit",
                     parameters: auditFilters + [.query("from", "The log position to continue from (`next`).", schema: Schema.position), .limit],
                     response: Schema.ref("AuditPage")),
        APIOperation(method: "GET", path: "/v1/audit/export", summary: "Export the audit trail as NDJSON or CSV",
                     description: "Every event matching the filters up to the head, streamed page by page as an attachment. CSV has a header row (\(AuditExportFormat.columns.joined(separator: ", "))) and RFC 4180 quoting, and no event data. In NDJSON each line is the event as `/v1/events/{position}` gives it, except `data`: personal values opened (`erased` for an erased subject), or with `pseudonymise=true` each replaced by the subject's stable pseudonym (`anon-` and 16 hex digits) and no `sealed` member; ids and non-personal values stay. `hash` is the stored event's. The export is recorded first as a `DataAccessed` event in the stream `system-access` (who, filters, purpose, client address); auditors must give a `purpose`.", tag: "audit",
                     parameters: auditFilters + [
                        .query("format", "`ndjson` (default) or `csv`.", schema: Schema.string(enum: AuditExportFormat.allCases.map(\.rawValue))),
                        .query("pseudonymise", "`true`: personal values replaced by per-subject pseudonyms (409 `encryption-disabled` on a server without a master key).",
                               schema: Schema.boolean),
                        .purpose,
                     ],
                     response: Schema.string, responseMediaType: "application/x-ndjson", errors: [409]),
        APIOperation(method: "GET", path: "/v1/audit/access", summary: "Recorded reads of personal data and exports",
                     description: "`DataAccessed` events (stream `system-access`): the actor, role, client address and user agent in the envelope; route, subject (the record read), subjects (every data subject the answer carried), filters, fields and purpose in `data`.", tag: "audit",
                     parameters: [.query("subject", "A data subject read: `customer:ID`, `contact:ID`, `lead:ID`, or a bare id (any kind)."), .query("actor", "Who read it."),
                                  .query("since", "Window start (ISO-8601).", schema: Schema.dateTime),
                                  .query("until", "Window end, exclusive (ISO-8601).", schema: Schema.dateTime),
                                  .query("from", "The `system-access` stream version to continue from (`next`).", schema: Schema.position), .limit],
                     response: Schema.ref("AccessPage")),
        APIOperation(method: "GET", path: "/v1/audit/verify", summary: "Recompute the hash chain and check the signed checkpoints",
                     description: "Synchronous: the whole chain is recomputed on each call.", tag: "audit",
                     response: Schema.ref("Verification")),
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
            "sealed": Schema.object(["subject": Schema.string, "ciphertextBase64": Schema.string]),
        ]),
        "EventPage": Schema.object(["events": Schema.array(of: Schema.ref("Event")), "next": Schema.nullable(Schema.position)]),
        "AuditPage": Schema.object([
            "actor": Schema.nullable(Schema.string), "stream": Schema.nullable(Schema.string), "type": Schema.nullable(Schema.string),
            "clientAddress": Schema.nullable(Schema.string), "since": Schema.nullable(Schema.dateTime), "until": Schema.nullable(Schema.dateTime),
            "events": Schema.array(of: Schema.ref("Event")), "next": Schema.nullable(Schema.position),
        ]),
        "AccessPage": Schema.object([
            "subject": Schema.nullable(Schema.string), "actor": Schema.nullable(Schema.string),
            "since": Schema.nullable(Schema.dateTime), "until": Schema.nullable(Schema.dateTime),
            "events": Schema.array(of: Schema.ref("Event")), "next": Schema.nullable(Schema.position),
        ]),
        "Checkpoint": Schema.object(["position": Schema.position, "hash": Schema.string, "signedAt": Schema.dateTime, "signedAtMs": Schema.integer]),
        "Verification": Schema.object([
            "intact": Schema.boolean, "firstBadPosition": Schema.nullable(Schema.position), "problem": Schema.nullable(Schema.string),
            "checkedEvents": Schema.integer, "from": Schema.position, "to": Schema.position, "checkpointsVerified": Schema.integer,
            "checkpointsAuthenticated": Schema.boolean, "lastVerifiedCheckpoint": Schema.nullable(Schema.ref("Checkpoint")),
            "lastSignedCheckpoint": Schema.nullable(Schema.ref("Checkpoint")), "lastSignedCheckpointVerified": Schema.nullable(Schema.boolean),
            "durationMs": Schema.integer,
        ]),
    ]

    /// What the routes of the raw log show of personal data.
    static let rawEvents = "Events as the log stores them: on a server with a master key, personal values are the placeholder `(sealed)` in `data`, and `sealed` holds the subject and the AES-256-GCM ciphertext (`ciphertextBase64`); no raw-log route opens them (the read models and the audit export do, recording the access). The live feed shows the same."

    /// The filters `/v1/audit/events` and `/v1/audit/export` share (`AuditFilter`).
    static let auditFilters: [APIParameter] = [
        .query("actor", "The actor's id."), .query("stream", "The record: a stream name such as `customer-C0001`."),
        .query("type", "The event type."), .query("clientAddress", "The client address the events came from."),
        .query("since", "Window start (ISO-8601).", schema: Schema.dateTime),
        .query("until", "Window end, exclusive (ISO-8601).", schema: Schema.dateTime),
    ]
}

extension APIParameter {
    /// Why personal data is read: recorded with the access (`AccessRecorder`, at most 500 bytes).
    static let purpose = query("purpose", "Why the data is read; recorded with the access event (at most 500 bytes). Required from auditors.")
}
