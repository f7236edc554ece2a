extension APIOperations {
    /// The operations routes.
    static let operations: [APIOperation] = [
        APIOperation(method: "GET", path: "/ready", summary: "Readiness: the log is readable and every projector is within the lag bound",
                     description: """
                         200 when ready. 503 when not, with the same document (not a problem): `lagging` lists the projectors \
                         outside the bound (`--ready-max-lag-events`, `--ready-max-lag-seconds`).
                         """,
                     tag: "operations", response: Schema.ref("Readiness")),
        APIOperation(method: "GET", path: "/metrics", summary: "Prometheus metrics: request latency, requests in flight, appends, group commits, projector lag",
                     tag: "operations", response: Schema.string, responseMediaType: "text/plain"),
        APIOperation(method: "GET", path: "/v1/analytics/state-cycle/rules", summary: "The live state-cycle rule set, to start a what-if replay from",
                     tag: "analytics", response: Schema.anyObject, errors: [503]),
        APIOperation(method: "POST", path: "/v1/analytics/state-cycle/replays",
                     summary: "Replay the log into a scratch state-cycle model under other rules and compare its transitions with the live ones",
                     description: "Runs to the end before answering; one replay at a time (409 while one runs). The live read model is not touched.",
                     tag: "analytics",
                     requestBody: Schema.object([
                         "name": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"],
                         "rules": Schema.anyObject, "from": Schema.position, "through": Schema.position,
                         "periodFrom": Schema.dateTime, "periodTo": Schema.dateTime,
                     ], required: ["name", "rules"], closed: true),
                     response: Schema.object([
                         "name": Schema.string, "liveRulesVersion": Schema.integer, "replayRulesVersion": Schema.integer,
                         "from": Schema.position, "through": Schema.position, "live": Schema.anyObject, "replay": Schema.anyObject,
                     ]),
                     errors: [409, 503]),
    ]
    /// The schemas the operations routes refer to.
    static let operationSchemas: [String: JSONValue] = [
        "Readiness": Schema.object([
            "status": Schema.string(enum: ["ready", "not-ready"]),
            "logPosition": Schema.position,
            "store": Schema.string(enum: ["open", "unavailable"]),
            "maxLagEvents": Schema.integer,
            "maxLagSeconds": Schema.number,
            "lagging": Schema.array(of: Schema.object([
                "name": Schema.string, "state": Schema.string, "lagEvents": Schema.integer, "lagSeconds": Schema.number,
            ])),
        ]),
    ]
}
