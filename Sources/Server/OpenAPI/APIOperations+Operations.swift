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
