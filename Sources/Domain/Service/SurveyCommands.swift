import Foundation

/// Sends a satisfaction survey to a customer, who must exist and not be merged, optionally about a
/// case, which must exist and belong to that customer (or to a customer it absorbed).
public struct SendSurvey: DomainCommand {
    public typealias Target = SatisfactionSurvey
    public static let commandType = "SendSurvey"
    public var surveyId: String
    public var customerId: String
    public var caseId: String?
    public var channel: SurveyChannel

    public init(surveyId: String, customerId: String, caseId: String? = nil, channel: SurveyChannel) {
        self.surveyId = surveyId
        self.customerId = customerId
        self.caseId = caseId
        self.channel = channel
    }

    public var targetId: String { surveyId }

    /// The customer and the case; malformed ids are not looked up (`decide` refuses them by name).
    public var references: [RecordReference] {
        var references: [RecordReference] = []
        if (try? Validate.id(customerId, "customerId")) != nil { references.append(.record(Customer.self, customerId)) }
        if let caseId, (try? Validate.id(caseId, "caseId")) != nil { references.append(.record(ServiceCase.self, caseId)) }
        return references
    }

    public func decide(_ state: SatisfactionSurvey, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(surveyId, "surveyId")
        guard !state.exists else { throw .alreadyExists(kind: "survey", id: id) }
        let customerId = try Validate.id(customerId, "customerId")
        let customer = context.record(Customer.self, customerId) ?? Customer()
        try customer.requireCommandable(customerId)
        if let caseId {
            let caseId = try Validate.id(caseId, "caseId")
            guard let serviceCase = context.record(ServiceCase.self, caseId) else { throw .notFound(kind: "case", id: caseId) }
            guard serviceCase.customerId == customerId || customer.absorbed.contains(serviceCase.customerId) else {
                throw .invalid(field: "caseId", reason: "case \(caseId) belongs to customer \(serviceCase.customerId), not \(customerId)")
            }
        }
        return [SurveySent(surveyId: id, customerId: customerId, caseId: caseId, channel: channel, occurredAt: context.now)]
    }
}

/// Records the customer's answer, once, to a survey that was sent: CSAT 1–5 and NPS 0–10.
public struct AnswerSurvey: DomainCommand {
    public typealias Target = SatisfactionSurvey
    public static let commandType = "AnswerSurvey"
    public var surveyId: String
    public var csat: Int
    public var nps: Int
    public var comment: String?

    public init(surveyId: String, csat: Int, nps: Int, comment: String? = nil) {
        self.surveyId = surveyId
        self.csat = csat
        self.nps = nps
        self.comment = comment
    }

    public var targetId: String { surveyId }

    /// Customer satisfaction score range.
    public static let csatRange = 1...5
    /// Net promoter score range.
    public static let npsRange = 0...10

    public func decide(_ state: SatisfactionSurvey, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        guard state.exists else { throw .notFound(kind: "survey", id: surveyId) }
        guard !state.isAnswered else {
            throw .ruleViolated(rule: "survey-already-answered", detail: "survey \(surveyId) was already answered")
        }
        guard Self.csatRange.contains(csat) else { throw .invalid(field: "csat", reason: "must be between 1 and 5") }
        guard Self.npsRange.contains(nps) else { throw .invalid(field: "nps", reason: "must be between 0 and 10") }
        return [SurveyAnswered(surveyId: surveyId, customerId: state.customerId, caseId: state.caseId, csat: csat, nps: nps,
                               comment: try Validate.optionalText(comment, "comment", max: 2000), occurredAt: context.now)]
    }
}
