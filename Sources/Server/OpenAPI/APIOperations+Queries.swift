extension APIOperations {
    /// Parameters every read-model query takes.
    private static let fresh: [APIParameter] = [.asOf, .minPosition,
        .header("If-None-Match", "An `ETag` of an earlier answer: 304 with no body when the answer is unchanged.")]
    /// Parameters of paginated queries.
    private static let paged: [APIParameter] = [.cursor, .limit]
    private static let now = APIParameter.query("now", "The moment due times and breaches are judged at (ISO-8601, default now).", schema: Schema.dateTime)
    private static let period: [APIParameter] = [
        .query("from", "Period start, business time (ISO-8601).", schema: Schema.dateTime, required: true),
        .query("to", "Period end, excluded (ISO-8601).", schema: Schema.dateTime, required: true),
    ]
    private static func page(_ item: JSONValue) -> JSONValue {
        Schema.object(["items": Schema.array(of: item), "next": Schema.nullable(Schema.string), "position": Schema.position,
                       "total": Schema.integer], required: ["items", "position"])
    }

    /// What the routes that answer personal values say about it.
    private static let personalData = "Carries personal data: recorded before it is sent as one `DataAccessed` event in `system-access` (actor, role, client address; the subjects and personal fields the answer carried; `purpose`), for every role; `purpose` is required from auditors (400 `invalid-parameter` without it). An erased subject's personal values read `erased`."

    /// The read-model query routes (`QueryRoutes`).
    static let queries: [APIOperation] = [
        APIOperation(method: "GET", path: "/v1/customers", summary: "The customer list: filtered, sorted, paginated",
                     description: personalData + " One event per page, listing its customers.", tag: "customers",
                     parameters: [.purpose, .query("segment", "Only this segment."), .query("region", "Only this region."),
                                  .query("manager", "Only customers of this manager."),
                                  .query("state", "Only this state.", schema: Schema.string(enum: ["prospect", "active", "inactive", "merged"])),
                                  .query("tag", "Only customers with this tag."),
                                  .query("valueGrade", "Only customers with this current value grade.", schema: Schema.string(enum: ["a", "b", "c", "d", "none"])),
                                  .query("sort", "Order (default name).", schema: Schema.string(enum: ["name", "registeredAt", "outstanding"])),
                                  .query("order", "Direction (default asc).", schema: Schema.string(enum: ["asc", "desc"]))] + paged + fresh,
                     response: page(Schema.ref("CustomerListItem")), errors: [503]),
        APIOperation(method: "GET", path: "/v1/customers/{id}", summary: "The customer 360",
                     description: personalData + " The subjects are the customer and its contacts (see `/v1/subjects/{id}/access-log`).",
                     tag: "customers",
                     parameters: [.path("id", "The customer's id."), .purpose] + fresh,
                     response: Schema.ref("Customer360"), errors: [404, 503]),
        APIOperation(method: "GET", path: "/v1/customers/{id}/states", summary: "A customer's state-cycle history, oldest first", tag: "customers",
                     parameters: [.path("id", "The customer's id.")] + paged + fresh,
                     response: page(Schema.ref("StateInterval")), errors: [404, 503]),
        APIOperation(method: "GET", path: "/v1/customers/{id}/state", summary: "A customer's state at a business time", tag: "customers",
                     parameters: [.path("id", "The customer's id."),
                                  .query("at", "Business time (ISO-8601, default now).", schema: Schema.dateTime)] + fresh,
                     response: Schema.object(["customerId": Schema.string, "at": Schema.integer, "interval": Schema.ref("StateInterval"),
                                              "projected": Schema.boolean]), errors: [404, 503]),
        APIOperation(method: "GET", path: "/v1/customers/{id}/sales-cycles", summary: "A customer's sales cycles in opening order", tag: "sales",
                     parameters: [.path("id", "The customer's id.")] + fresh,
                     response: Schema.object(["customerId": Schema.string, "mergedInto": Schema.nullable(Schema.string),
                                              "absorbed": Schema.array(of: Schema.string), "cycles": Schema.array(of: Schema.ref("OpportunityCycle"))]),
                     errors: [404, 503]),
        APIOperation(method: "GET", path: "/v1/opportunities/{id}/cycle", summary: "One opportunity's sales cycle", tag: "sales",
                     parameters: [.path("id", "The opportunity's id.")] + fresh,
                     response: Schema.ref("OpportunityCycle"), errors: [404, 503]),
        APIOperation(method: "GET", path: "/v1/pipeline", summary: "The pipeline board and weighted forecast by close month", tag: "sales",
                     parameters: [.query("owner", "Only this owner's opportunities.")] + fresh,
                     response: Schema.ref("PipelineBoard"), errors: [503]),
        APIOperation(method: "GET", path: "/v1/pipeline/stages/{stage}", summary: "The open opportunities of one stage", tag: "sales",
                     parameters: [.path("stage", "The stage name."), .query("owner", "Only this owner's opportunities.")] + paged + fresh,
                     response: page(Schema.ref("PipelineOpportunity")), errors: [503]),
        APIOperation(method: "GET", path: "/v1/service/queue", summary: "Open cases by priority and age",
                     description: personalData + " Case subjects are the personal values.", tag: "service",
                     parameters: [.query("agent", "Only cases assigned to this agent."), now, .purpose] + paged + fresh,
                     response: page(Schema.ref("QueueItem")), errors: [503]),
        APIOperation(method: "GET", path: "/v1/service/queue/at-risk", summary: "Cases breached or about to breach their SLA",
                     description: personalData + " Case subjects are the personal values.", tag: "service",
                     parameters: [.query("agent", "Only cases assigned to this agent."), now, .purpose,
                                  .query("windowMinutes", "About to breach: due within this many minutes (default 60).", schema: Schema.integer)] + fresh,
                     response: Schema.object(["breached": Schema.array(of: Schema.ref("QueueItem")),
                                              "aboutToBreach": Schema.array(of: Schema.ref("QueueItem")), "position": Schema.position]),
                     errors: [503]),
        APIOperation(method: "GET", path: "/v1/service/queue/agents", summary: "Open service work per agent", tag: "service",
                     parameters: [now, .query("windowMinutes", "About to breach window in minutes (default 60).", schema: Schema.integer)] + fresh,
                     response: Schema.object(["agents": Schema.array(of: Schema.object([
                         "agentId": Schema.nullable(Schema.string), "open": Schema.integer, "byPriority": Schema.anyObject,
                         "breached": Schema.integer, "aboutToBreach": Schema.integer, "complaints": Schema.integer,
                         "oldestOpenedAt": Schema.nullable(Schema.dateTime)])), "position": Schema.position]),
                     errors: [503]),
        APIOperation(method: "GET", path: "/v1/follow-ups", summary: "Due and overdue follow-ups per manager",
                     description: "With `manager`: " + personalData + " Task titles are the personal values. Without, counts only (nothing recorded).",
                     tag: "work",
                     parameters: [.query("manager", "One manager's tasks instead of every manager's counts."), now, .purpose,
                                  .query("horizonDays", "Due: within this many days (default 7).", schema: Schema.integer)] + fresh,
                     response: Schema.object(["managers": Schema.array(of: Schema.anyObject), "managerId": Schema.string,
                                              "overdue": Schema.array(of: Schema.anyObject), "due": Schema.array(of: Schema.anyObject),
                                              "later": Schema.integer, "position": Schema.position]),
                     errors: [404, 503]),
        APIOperation(method: "GET", path: "/v1/campaigns", summary: "Every campaign's performance", tag: "marketing",
                     parameters: fresh,
                     response: Schema.object(["campaigns": Schema.array(of: Schema.ref("CampaignPerformance")), "position": Schema.position]),
                     errors: [503]),
        APIOperation(method: "GET", path: "/v1/campaigns/{id}", summary: "One campaign's performance", tag: "marketing",
                     parameters: [.path("id", "The campaign's id.")] + fresh,
                     response: Schema.ref("CampaignPerformance"), errors: [404, 503]),
        APIOperation(method: "GET", path: "/v1/analytics/states", summary: "Customers in a state or grade at a business time", tag: "analytics",
                     parameters: [.query("state", "Lifecycle state."), .query("value", "Value grade (a, b, c, d, none)."),
                                  .query("risk", "Risk grade (low, medium, high)."),
                                  .query("at", "Business time (ISO-8601, default now).", schema: Schema.dateTime)] + paged + fresh,
                     response: page(Schema.string), errors: [503]),
        APIOperation(method: "GET", path: "/v1/analytics/state-transitions", summary: "Counts of state and grade transitions over a period",
                     description: "Unrestricted roles only: transitions carry no manager to restrict by (403 otherwise).", tag: "analytics",
                     parameters: period + fresh,
                     response: Schema.object(["from": Schema.integer, "to": Schema.integer, "states": Schema.array(of: Schema.anyObject),
                                              "values": Schema.array(of: Schema.anyObject), "reflectsUntil": Schema.integer]),
                     errors: [503]),
        APIOperation(method: "GET", path: "/v1/analytics/sales-cycle/{report}", summary: "Sales-cycle report by owner or team",
                     description: "Reports: stage-conversion, time-in-stage, win-rate, cycle-lengths.", tag: "analytics",
                     parameters: [.path("report", "stage-conversion, time-in-stage, win-rate or cycle-lengths.")] + period +
                        [.query("by", "Grouping (default all).", schema: Schema.string(enum: ["all", "owner", "team"])),
                         .query("bucketDays", "Histogram bucket width for cycle-lengths (default 7).", schema: Schema.integer)] + fresh,
                     response: Schema.object(["report": Schema.string, "from": Schema.integer, "to": Schema.integer, "by": Schema.string,
                                              "groups": Schema.array(of: Schema.anyObject), "position": Schema.position]),
                     errors: [404, 503]),
        APIOperation(method: "GET", path: "/v1/analytics/cubes/{cube}", summary: "Slice, dice, roll up, drill down and pivot a cube",
                     description: "Example: `/v1/analytics/cubes/revenue?measures=ordersPlacedAmount&by=month,region`. Money measures are answered per currency as `<measure>.<ISO code>` in minor units (cents for EUR: 798000 is 7,980.00 EUR), so no roll-up adds two currencies.", tag: "analytics",
                     parameters: [.path("cube", "revenue, pipeline, service or customer."),
                                  .query("measures", "Comma-separated measures (default all)."),
                                  .query("by", "Comma-separated row dimensions, in order (time grains day, week, month, quarter, year or the cube's dimensions)."),
                                  .query("where", "dimension:value[,value…]; repeatable, all must hold."),
                                  .query("pivot", "A dimension whose values become columns."),
                                  .query("from", "First business day (ISO-8601).", schema: Schema.dateTime),
                                  .query("to", "First business day excluded (ISO-8601).", schema: Schema.dateTime)] + fresh,
                     response: Schema.ref("CubeAnswer"), errors: [404, 503]),
    ]

    /// The schemas the query routes refer to.
    static let querySchemas: [String: JSONValue] = [
        "CustomerListItem": Schema.object([
            "customerId": Schema.string, "name": Schema.string, "kind": Schema.string, "segment": Schema.nullable(Schema.string),
            "region": Schema.nullable(Schema.string), "managerId": Schema.nullable(Schema.string), "state": Schema.string,
            "registeredAt": Schema.dateTime, "tags": Schema.array(of: Schema.string), "outstanding": Schema.anyObject]),
        "Customer360": Schema.object([
            "customerId": Schema.string, "kind": Schema.string, "name": Schema.string, "managerId": Schema.nullable(Schema.string),
            "classification": Schema.anyObject, "tags": Schema.array(of: Schema.string), "contacts": Schema.array(of: Schema.anyObject),
            "openOpportunities": Schema.array(of: Schema.anyObject), "openCases": Schema.array(of: Schema.anyObject),
            "recentInteractions": Schema.array(of: Schema.anyObject), "balances": Schema.array(of: Schema.anyObject),
            "lifecycleState": Schema.string, "position": Schema.position]),
        "StateInterval": Schema.object([
            "customerId": Schema.string, "from": Schema.integer, "to": Schema.nullable(Schema.integer),
            "labels": Schema.object(["state": Schema.string, "value": Schema.string, "risk": Schema.string]), "cause": Schema.anyObject]),
        "OpportunityCycle": Schema.object([
            "opportunityId": Schema.string, "customerId": Schema.string, "kind": Schema.string, "ownerId": Schema.string,
            "stageOrder": Schema.array(of: Schema.string), "status": Schema.string, "visits": Schema.array(of: Schema.anyObject),
            "openedAt": Schema.integer, "closedAt": Schema.nullable(Schema.integer)]),
        "PipelineBoard": Schema.object([
            "ownerId": Schema.nullable(Schema.string), "ownerIds": Schema.array(of: Schema.string),
            "columns": Schema.array(of: Schema.object(["stage": Schema.string, "count": Schema.integer, "amount": Schema.anyObject,
                                                       "weighted": Schema.anyObject, "averageProbabilityBasisPoints": Schema.integer])),
            "forecast": Schema.array(of: Schema.object(["month": Schema.string, "count": Schema.integer, "amount": Schema.anyObject,
                                                        "weighted": Schema.anyObject])),
            "position": Schema.position]),
        "PipelineOpportunity": Schema.object([
            "opportunityId": Schema.string, "customerId": Schema.string, "title": Schema.string, "ownerId": Schema.string,
            "stage": Schema.string, "winProbability": Schema.integer, "amount": Schema.anyObject, "expectedCloseDate": Schema.dateTime,
            "status": Schema.string]),
        "QueueItem": Schema.object([
            "item": Schema.anyObject, "ageMinutes": Schema.integer, "firstResponseBreached": Schema.boolean,
            "resolutionBreached": Schema.boolean, "minutesToNextDue": Schema.integer]),
        "CampaignPerformance": Schema.object([
            "record": Schema.anyObject, "responseRateBasisPoints": Schema.nullable(Schema.integer),
            "conversionRateBasisPoints": Schema.nullable(Schema.integer), "cost": Schema.anyObject, "costIsBudget": Schema.boolean,
            "roiBasisPoints": Schema.nullable(Schema.integer)]),
        "CubeAnswer": Schema.object([
            "cube": Schema.string, "position": Schema.position, "groupBy": Schema.array(of: Schema.string),
            "pivot": Schema.nullable(Schema.string), "columns": Schema.array(of: Schema.string),
            "rows": Schema.array(of: Schema.object(["key": Schema.array(of: Schema.string), "values": Schema.anyObject,
                                                    "columns": Schema.anyObject])),
            "totals": Schema.anyObject]),
    ]
}
