import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// Every command route, driven by one scenario that takes each record through its life.
@Suite("Command routes")
struct CommandRoutesTests {
    /// One request of the scenario and the events it must append.
    struct Step: Sendable {
        var method: HTTPRequest.Method = .post
        var route: String
        var path: String
        var body: String
        var events: [String]
        var status: HTTPResponse.Status = .ok

        init(_ method: HTTPRequest.Method, _ route: String, _ path: String, _ body: String, _ events: [String],
             status: HTTPResponse.Status = .ok) {
            self.method = method
            self.route = route
            self.path = path
            self.body = body
            self.events = events
            self.status = status
        }

        /// A POST to a route with parameters, at `path`.
        init(_ route: String, _ path: String, _ body: String, _ events: [String], status: HTTPResponse.Status = .ok) {
            self.init(.post, route, path, body, events, status: status)
        }

        /// A POST to a route without parameters.
        init(_ route: String, _ body: String, _ events: [String], status: HTTPResponse.Status = .ok) {
            self.init(.post, route, route, body, events, status: status)
        }
    }

    static let money = #"{"amount":"1000.00","currency":"EUR"}"#
    static let line = #"{"productId":"p-1","quantity":2,"unitPrice":{"amount":"500","currency":"EUR"}}"#

    /// The scenario, in an order every command's preconditions hold in.
    static let scenario: [Step] = [
        Step("/v1/teams", #"{"teamId":"north","name":"North","region":"North"}"#, ["TeamDefined"], status: .created),
        Step("/v1/teams/{id}/members", "/v1/teams/north/members", #"{"managerId":"mgr-01"}"#, ["TeamMemberAssigned"]),
        Step("/v1/customers", #"{"customerId":"c1","kind":"person","name":"Ana Lima","email":"ana@example.com","channel":"webForm","managerId":"mgr-01"}"#,
             ["CustomerRegistered", "CustomerManagerAssigned"], status: .created),
        Step("/v1/customers/{id}/profile", "/v1/customers/c1/profile", #"{"fields":{"address":"Rua A 1, Lisboa","organisation":null}}"#, ["CustomerProfileChanged"]),
        Step("/v1/customers/{id}/classification", "/v1/customers/c1/classification",
             #"{"classification":{"segment":"smb","region":"North","industry":"retail","size":"small","tier":"gold"}}"#, ["CustomerClassified"]),
        Step("/v1/customers/{id}/manager", "/v1/customers/c1/manager", #"{"managerId":"mgr-02"}"#, ["CustomerManagerAssigned"]),
        Step("/v1/customers/{id}/contacts", "/v1/customers/c1/contacts", #"{"contactId":"p1","name":"Rui Sousa","role":"buyer"}"#, ["ContactAdded"]),
        Step("/v1/customers/{id}/contacts/{contactId}", "/v1/customers/c1/contacts/p1", #"{"fields":{"role":"owner"}}"#, ["ContactChanged"]),
        Step(.delete, "/v1/customers/{id}/contacts/{contactId}", "/v1/customers/c1/contacts/p1", "", ["ContactRemoved"]),
        Step("/v1/customers/{id}/consents", "/v1/customers/c1/consents", #"{"purpose":"marketing","given":true}"#, ["ConsentGiven"]),
        Step("/v1/customers/{id}/tags", "/v1/customers/c1/tags", #"{"tag":"vip","tagged":true}"#, ["CustomerTagged"]),
        Step("/v1/customers/{id}/interactions", "/v1/customers/c1/interactions",
             #"{"interactionId":"i1","channel":"call","direction":"inbound","outcome":"answered","durationSeconds":120}"#, ["InteractionLogged"]),
        Step("/v1/customers", #"{"customerId":"c2","kind":"person","name":"Ana Lima","email":"ana@example.com","channel":"phone","registerAnyway":true}"#,
             ["CustomerRegistered", "DuplicateAcknowledged"], status: .created),
        Step("/v1/customers/{id}/merge", "/v1/customers/c1/merge", #"{"absorbedId":"c2","reason":"same person"}"#, ["CustomerMerged", "CustomerAbsorbed"]),
        // Sales
        Step("/v1/sales-processes", #"{"processId":"std","name":"Standard","stages":[{"name":"Prospect","winProbability":10,"requiredFields":[]},{"name":"Proposal","winProbability":50,"requiredFields":["budget"]}],"allowsSkipping":false}"#,
             ["SalesProcessDefined"], status: .created),
        Step("/v1/leads", #"{"leadId":"l1","source":"webForm","name":"Bo Chen","email":"bo@example.com"}"#, ["LeadCaptured"], status: .created),
        Step("/v1/leads/{id}/qualify", "/v1/leads/l1/qualify", #"{"reason":"has budget"}"#, ["LeadQualified"]),
        Step("/v1/leads/{id}/convert", "/v1/leads/l1/convert",
             #"{"customerId":"c3","opportunityId":"o2","processId":"std","cycleKind":"newBusiness","amount":\#(money),"expectedCloseDate":"2027-06-30T00:00:00.000Z","ownerId":"mgr-01"}"#,
             ["LeadConverted", "CustomerRegistered", "OpportunityOpened"], status: .created),
        Step("/v1/leads", #"{"leadId":"l2","source":"event","name":"Cy Dias","phone":"+351 912 000 111"}"#, ["LeadCaptured"], status: .created),
        Step("/v1/leads/{id}/disqualify", "/v1/leads/l2/disqualify", #"{"reason":"no budget"}"#, ["LeadDisqualified"]),
        Step("/v1/opportunities", #"{"opportunityId":"o1","customerId":"c1","processId":"std","title":"Fit-out","cycleKind":"upSell","amount":\#(money),"expectedCloseDate":"2027-03-31T00:00:00.000Z","ownerId":"mgr-01","fields":{}}"#,
             ["OpportunityOpened"], status: .created),
        Step("/v1/sales-processes/{id}/revisions", "/v1/sales-processes/std/revisions",
             #"{"stages":[{"name":"Prospect","winProbability":10,"requiredFields":[]},{"name":"Proposal","winProbability":60,"requiredFields":["budget"]}],"allowsSkipping":true,"reason":"new odds"}"#, ["SalesProcessRevised"]),
        Step("/v1/opportunities/{id}/process", "/v1/opportunities/o1/process", #"{"processId":"std"}"#, ["OpportunityProcessRevisionAdopted"]),
        Step("/v1/opportunities/{id}/fields", "/v1/opportunities/o1/fields", #"{"fields":{"budget":"approved"}}"#, ["OpportunityFieldsSet"]),
        Step("/v1/opportunities/{id}/stage", "/v1/opportunities/o1/stage", #"{"toStage":"Proposal"}"#, ["OpportunityStageChanged"]),
        Step("/v1/opportunities/{id}/amount", "/v1/opportunities/o1/amount", #"{"amount":{"amount":"1200","currency":"EUR"}}"#, ["OpportunityAmountChanged"]),
        Step("/v1/opportunities/{id}/close-date", "/v1/opportunities/o1/close-date", #"{"expectedCloseDate":"2027-04-30T00:00:00.000Z"}"#, ["OpportunityCloseDateChanged"]),
        Step("/v1/opportunities/{id}/owner", "/v1/opportunities/o1/owner", #"{"ownerId":"mgr-02"}"#, ["OpportunityOwnerChanged"]),
        Step("/v1/opportunities/{id}/win", "/v1/opportunities/o1/win", #"{"amount":{"amount":"1200","currency":"EUR"},"productIds":["p-1"]}"#, ["OpportunityWon"]),
        Step("/v1/opportunities/{id}/reopen", "/v1/opportunities/o1/reopen", #"{"reason":"contract not signed"}"#, ["OpportunityReopened"]),
        Step("/v1/opportunities/{id}/lose", "/v1/opportunities/o1/lose", #"{"reason":"price","competitor":"Acme"}"#, ["OpportunityLost"]),
        Step("/v1/quotes", #"{"quoteId":"q1","customerId":"c1","lines":[\#(line)]}"#, ["QuoteIssued"], status: .created),
        Step("/v1/quotes/{id}/revisions", "/v1/quotes/q1/revisions", #"{"lines":[\#(line),\#(line)]}"#, ["QuoteRevised"]),
        Step("/v1/quotes/{id}/accept", "/v1/quotes/q1/accept", "", ["QuoteAccepted"]),
        Step("/v1/quotes", #"{"quoteId":"q2","customerId":"c1","lines":[\#(line)]}"#, ["QuoteIssued"], status: .created),
        Step("/v1/quotes/{id}/reject", "/v1/quotes/q2/reject", #"{"reason":"too dear"}"#, ["QuoteRejected"]),
        Step("/v1/orders", #"{"orderId":"or1","customerId":"c1","quoteId":"q1"}"#, ["OrderPlaced"], status: .created),
        Step("/v1/orders/{id}/fulfil", "/v1/orders/or1/fulfil", "{}", ["OrderFulfilled"]),
        Step("/v1/orders", #"{"orderId":"or2","customerId":"c1","lines":[\#(line)]}"#, ["OrderPlaced"], status: .created),
        Step("/v1/orders/{id}/cancel", "/v1/orders/or2/cancel", #"{"reason":"changed mind"}"#, ["OrderCancelled"]),
        // Billing
        Step("/v1/invoices", #"{"invoiceId":"inv1","customerId":"c1","orderId":"or1","lines":[{"description":"Fit-out","quantity":1,"unitPrice":\#(money)}],"issueDate":"2026-01-01T00:00:00.000Z","dueDate":"2026-01-31T00:00:00.000Z"}"#,
             ["InvoiceIssued"], status: .created),
        Step("/v1/invoices/{id}/payments", "/v1/invoices/inv1/payments", #"{"paymentId":"pay1","amount":{"amount":"100","currency":"EUR"},"method":"card"}"#, ["InvoicePaymentReceived"]),
        Step("/v1/invoices/{id}/overdue", "/v1/invoices/inv1/overdue", "", ["InvoiceMarkedOverdue"]),
        Step("/v1/invoices/{id}/write-off", "/v1/invoices/inv1/write-off", #"{"reason":"insolvent"}"#, ["InvoiceWrittenOff"]),
        // Service
        Step("/v1/cases", #"{"caseId":"k1","customerId":"c1","channel":"email","category":"technical","priority":"high","isComplaint":true,"subject":"Broken","description":"It broke"}"#,
             ["CaseOpened"], status: .created),
        Step("/v1/cases/{id}/assignment", "/v1/cases/k1/assignment", #"{"agentId":"agent-1"}"#, ["CaseAssigned"]),
        Step("/v1/cases/{id}/first-response", "/v1/cases/k1/first-response", "{}", ["CaseFirstResponded"]),
        Step("/v1/cases/{id}/escalate", "/v1/cases/k1/escalate", #"{"level":1,"reason":"angry"}"#, ["CaseEscalated"]),
        Step("/v1/cases/{id}/status", "/v1/cases/k1/status", #"{"status":"waitingOnCustomer"}"#, ["CaseStatusChanged"]),
        Step("/v1/cases/{id}/resolve", "/v1/cases/k1/resolve", #"{"resolution":"replaced"}"#, ["CaseResolved"]),
        Step("/v1/cases/{id}/reopen", "/v1/cases/k1/reopen", #"{"reason":"broke again"}"#, ["CaseReopened"]),
        Step("/v1/cases/{id}/resolve", "/v1/cases/k1/resolve", #"{"resolution":"refunded"}"#, ["CaseResolved"]),
        Step("/v1/cases/{id}/close", "/v1/cases/k1/close", "", ["CaseClosed"]),
        Step("/v1/surveys", #"{"surveyId":"s1","customerId":"c1","caseId":"k1","channel":"email"}"#, ["SurveySent"], status: .created),
        Step("/v1/surveys/{id}/answer", "/v1/surveys/s1/answer", #"{"csat":4,"nps":8,"comment":"fine"}"#, ["SurveyAnswered"]),
        // Marketing
        Step("/v1/campaigns", #"{"campaignId":"cp1","name":"Spring","channel":"email","targetSegment":"smb","budget":\#(money),"plannedStart":"2026-03-01T00:00:00.000Z","plannedEnd":"2026-04-01T00:00:00.000Z"}"#,
             ["CampaignPlanned"], status: .created),
        Step("/v1/campaigns/{id}/launch", "/v1/campaigns/cp1/launch", "", ["CampaignLaunched"]),
        Step("/v1/campaigns/{id}/members", "/v1/campaigns/cp1/members", #"{"customerId":"c1"}"#, ["CampaignMemberTargeted"]),
        Step("/v1/campaigns/{id}/responses", "/v1/campaigns/cp1/responses", #"{"customerId":"c1","channel":"email"}"#, ["CampaignMemberResponded"]),
        Step("/v1/campaigns/{id}/conversions", "/v1/campaigns/cp1/conversions", #"{"customerId":"c1","value":\#(money)}"#, ["CampaignMemberConverted"]),
        Step("/v1/campaigns/{id}/close", "/v1/campaigns/cp1/close", #"{"actualCost":{"amount":"800","currency":"EUR"}}"#, ["CampaignClosed"]),
        // Work
        Step("/v1/managers/{id}/work-plans", "/v1/managers/mgr-01/work-plans",
             #"{"planId":"w1","periodStart":"2026-11-01T00:00:00.000Z","periodEnd":"2026-11-30T00:00:00.000Z","targets":{"visits":4,"calls":20,"customers":10}}"#, ["WorkPlanned"]),
        Step("/v1/managers/{id}/work-plans/{planId}/revisions", "/v1/managers/mgr-01/work-plans/w1/revisions",
             #"{"targets":{"visits":5,"calls":25,"customers":12,"notes":"more calls"}}"#, ["WorkPlanRevised"]),
        Step("/v1/managers/{id}/work-log", "/v1/managers/mgr-01/work-log",
             #"{"entryId":"e1","date":"2026-11-02T00:00:00.000Z","customerId":"c1","activity":"call","minutes":30,"note":"called"}"#, ["WorkLogged"]),
        Step("/v1/tasks", #"{"taskId":"t1","managerId":"mgr-01","customerId":"c1","title":"Call back","kind":"call","dueAt":"2027-01-01T00:00:00.000Z"}"#,
             ["WorkTaskAssigned"], status: .created),
        Step("/v1/tasks/{id}/reassign", "/v1/tasks/t1/reassign", #"{"managerId":"mgr-02","reason":"holiday"}"#, ["WorkTaskReassigned"]),
        Step("/v1/tasks/{id}/complete", "/v1/tasks/t1/complete", #"{"outcome":"done"}"#, ["WorkTaskCompleted"]),
        Step("/v1/tasks", #"{"taskId":"t2","managerId":"mgr-01","customerId":"c1","title":"Visit","kind":"visit","dueAt":"2026-01-01T00:00:00.000Z"}"#,
             ["WorkTaskAssigned"], status: .created),
        Step("/v1/tasks/{id}/overdue", "/v1/tasks/t2/overdue", "", ["WorkTaskMarkedOverdue"]),
        Step("/v1/tasks/{id}/cancel", "/v1/tasks/t2/cancel", #"{"reason":"customer left"}"#, ["WorkTaskCancelled"]),
        Step("/v1/customers/{id}/active", "/v1/customers/c1/active", #"{"active":false,"reason":"paused"}"#, ["CustomerDeactivated"]),
    ]

    /// Every route of the command table accepts a valid command and appends exactly the expected
    /// event types, with a consistent answer (stream version, positions, ETag, X-Log-Position).
    @Test func everyCommandRouteAcceptsAValidCommand() async throws {
        let covered = Set(Self.scenario.map { "\($0.method.rawValue) \($0.route)" })
        #expect(covered == Set(CommandRoute.all.map(\.key)), "routes the scenario misses: \(Set(CommandRoute.all.map(\.key)).subtracting(covered).sorted())")
        try await CommandAPI.run { api in
            for step in Self.scenario {
                let before = api.head
                let response = try await api.send(step.method, step.path, step.body)
                #expect(response.status == step.status, "\(step.method) \(step.path): \(response.text)")
                guard response.status == step.status else { continue }
                let body = response.object
                #expect(body["events"] as? [String] == step.events, "\(step.path)")
                let positions = (body["positions"] as? [NSNumber])?.map(\.uint64Value) ?? []
                #expect(positions == Array(before + 1...before + UInt64(step.events.count)), "\(step.path)")
                #expect(api.head == before + UInt64(step.events.count))
                #expect(response.logPosition == String(before + UInt64(step.events.count)))
                let version = (body["streamVersion"] as? NSNumber)?.uint64Value ?? 0
                #expect(response.headers[.eTag] == "\"\(version)\"")
                if let stream = body["stream"] as? String {
                    #expect(try api.store.streamVersion(stream) == version, "\(step.path)")
                }
                #expect((response.headers[.location] != nil) == (step.status == .created), "\(step.path)")
            }
        }
    }

    /// Every command type of the domain has exactly one route, and each route's path members are
    /// members of its command.
    @Test func theTableCoversEveryCommandOnce() {
        let types = CommandRoute.all.map(\.commandType)
        #expect(types.count == Set(types).count)
        #expect(Set(types) == Set(CommandCatalog.all.map { $0.commandType } + ["MergeCustomers", "ConvertLead"]))
        for route in CommandRoute.all {
            let members = Set(route.schema.fields.map(\.name))
            #expect(!members.isEmpty, "\(route.key) has no body schema")
            for (parameter, member) in route.pathMembers {
                #expect(route.path.contains("{\(parameter)}"), "\(route.key)")
                #expect(members.contains(member), "\(route.key): \(member) is not a member of \(route.commandType)")
            }
        }
    }
}
