extension APIOperations {
    /// The data-subject routes (`SubjectRoutes`).
    static let subjects: [APIOperation] = [
        APIOperation(
            method: "POST", path: "/v1/subjects/{id}/erase", summary: "Erase a data subject (right to erasure)",
            description: "Destroys the data keys of the subject and of everything it owns (a customer's contacts, opportunities and originating lead), then appends `SubjectErased` (no personal data; the reason in its envelope) to the record's stream. The log is not edited: the chain and signed checkpoints still verify. From this answer on, every read (any role, the read models, the audit export) shows `erased` for the subject's personal values; non-personal facts (amounts, stages, dates) stay. 400 `validation-failed` without a reason; 404 for an unknown subject; 410 `subject-erased` when already erased; 409 `encryption-disabled` when the server runs without a master key. `Idempotency-Key` replays the first answer.",
            tag: "subjects",
            parameters: [.path("id", "`customer:ID`, `lead:ID`, `contact:ID`, or a bare id (tried as a customer, a lead, then a contact)."),
                         .header("Idempotency-Key", "Makes a retry safe: the first answer (success or refusal) is replayed for the same key and body.")],
            requestBody: Schema.object(["reason": ["type": "string", "minLength": 1, "maxLength": .number(Double(ErasureRequest.maxReasonLength)),
                                                   "description": "Why (a ticket, the legal ground); recorded in the log for good, so never the person's data."]],
                                       required: ["reason"], closed: true),
            response: Schema.ref("ErasureAnswer"), errors: [404, 409, 410, 422]),
        APIOperation(
            method: "GET", path: "/v1/subjects/{id}/access-log", summary: "Who saw this person's data",
            description: "The recorded reads (`DataAccessed` events in `system-access`) that carried the subject's personal data: as the record read (a customer 360) or among the subjects of an answer (a list page, the service queue, a customer 360 showing a contact). Oldest first, complete up to `position` (`X-Log-Position`). An unknown subject has an empty log.",
            tag: "subjects",
            parameters: [.path("id", "`customer:ID`, `lead:ID`, `contact:ID`, or a bare id (any kind)."),
                         .query("since", "Window start (ISO-8601).", schema: Schema.dateTime),
                         .query("until", "Window end, exclusive (ISO-8601).", schema: Schema.dateTime),
                         .cursor, .limit],
            response: Schema.ref("SubjectAccessPage")),
    ]

    /// The schemas the data-subject routes refer to.
    static let subjectSchemas: [String: JSONValue] = [
        "ErasureAnswer": Schema.object([
            "subject": Schema.string, "erasedSubjects": Schema.array(of: Schema.string), "stream": Schema.string,
            "position": Schema.position,
        ], required: ["subject", "erasedSubjects", "stream", "position"]),
        "SubjectAccess": Schema.object([
            "position": Schema.position, "at": Schema.dateTime,
            "actor": Schema.object(["id": Schema.string, "role": Schema.string]),
            "source": Schema.object(["clientAddress": Schema.string, "userAgent": Schema.string, "host": Schema.string]),
            "route": Schema.string, "record": Schema.string, "fields": Schema.array(of: Schema.string),
            "purpose": Schema.string, "filters": Schema.anyObject,
        ], required: ["position", "at", "actor", "source", "route", "fields", "filters"]),
        "SubjectAccessPage": Schema.object([
            "subject": Schema.string, "items": Schema.array(of: Schema.ref("SubjectAccess")), "next": Schema.string,
            "position": Schema.position,
        ], required: ["subject", "items", "position"]),
    ]
}
