import HTTPTypes

extension APIOperations {
    /// The command routes, generated from `CommandRoute.all` (the request schema is the command's
    /// probed body schema, closed to unknown members), and the integration-stream appends.
    static let commands: [APIOperation] = CommandRoute.all.map { route in
        APIOperation(
            method: route.method.rawValue, path: route.path, summary: route.summary,
            description: "The `\(route.commandType)` command. Members named by the path may be repeated in the body but must agree with it."
                + " The actor and source of the events come from the token and the connection; `reason` may also come from `X-Reason`.",
            tag: route.tag,
            parameters: route.pathMembers.map { APIParameter.path($0.parameter, "Fills the command's `\($0.member)`.") } + commandHeaders,
            requestBody: route.bodySchema.jsonSchema, successStatus: route.creates ? 201 : 200,
            response: Schema.ref("CommandAnswer"), errors: [404, 409, 410, 422, 507])
    } + [
        APIOperation(
            method: "POST", path: "/v1/streams/{stream}/events", summary: "Append events to an integration stream",
            description: "Streams of domain records (`customer-…`, `opportunity-…`, …) are refused with 422 `reserved-stream`; integration streams are named `ext-…`.",
            tag: "streams",
            parameters: [.path("stream", "The integration stream, `ext-…`.")],
            requestBody: Schema.ref("StreamAppendRequest"), successStatus: 201, response: Schema.ref("StreamAppendAnswer"),
            errors: [409, 422, 507]),
        APIOperation(
            method: "POST", path: "/v1/streams/batch", summary: "Append to several integration streams atomically",
            description: "Every stream's expected version is checked first; all streams are written or none is.",
            tag: "streams",
            requestBody: Schema.ref("StreamBatchRequest"), successStatus: 201, response: Schema.ref("StreamBatchAnswer"),
            errors: [409, 422, 507]),
    ]

    /// The headers every command route reads.
    static let commandHeaders: [APIParameter] = [
        .header("If-Match", "The stream version the command expects (`3` or `\"3\"`, the `ETag` of a previous answer); 409 `version-conflict` otherwise.",
                schema: Schema.string),
        .header("Idempotency-Key", "Makes the command safe to retry: a retry with the same key gets the first answer and writes nothing; the key with another request is 422 `idempotency-key-reused`."),
        .header("X-Reason", "Why, recorded in the audit trail (and the command's `reason` when the body has none)."),
    ]

    /// The schemas the command routes refer to.
    static let commandSchemas: [String: JSONValue] = [
        "Money": BodySchema.moneySchema,
        "CommandAnswer": Schema.object([
            "stream": Schema.string, "streamVersion": Schema.position, "position": Schema.position,
            "positions": Schema.array(of: Schema.position), "events": Schema.array(of: Schema.string),
        ], required: ["stream", "streamVersion", "position", "positions", "events"]),
        "ProposedStreamEvent": Schema.object([
            "id": ["type": "string", "format": "uuid", "description": "The event id; a retry with the same ids writes nothing."],
            "type": Schema.string, "data": Schema.anyObject,
            "schemaVersion": ["type": "integer", "minimum": 1, "maximum": 65535],
        ], required: ["id", "type", "data"], closed: true),
        "ExpectedVersion": ["anyOf": [Schema.position, Schema.string(enum: ["any", "none", "exists"])]],
        "StreamAppendRequest": Schema.object([
            "expectedVersion": Schema.ref("ExpectedVersion"), "events": Schema.array(of: Schema.ref("ProposedStreamEvent")),
        ], required: ["expectedVersion", "events"], closed: true),
        "StreamAppendAnswer": Schema.object([
            "stream": Schema.string, "streamVersion": Schema.position, "positions": Schema.array(of: Schema.position),
            "wasAlreadyStored": Schema.boolean,
        ], required: ["stream", "streamVersion", "positions", "wasAlreadyStored"]),
        "StreamBatchRequest": Schema.object([
            "streams": Schema.array(of: Schema.object([
                "stream": Schema.string, "expectedVersion": Schema.ref("ExpectedVersion"),
                "events": Schema.array(of: Schema.ref("ProposedStreamEvent")),
            ], required: ["stream", "expectedVersion", "events"], closed: true)),
        ], required: ["streams"], closed: true),
        "StreamBatchAnswer": Schema.object([
            "streams": Schema.array(of: Schema.ref("StreamAppendAnswer")),
        ], required: ["streams"]),
    ]
}
