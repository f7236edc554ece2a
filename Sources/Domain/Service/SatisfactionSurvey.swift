import Foundation

/// The satisfaction survey aggregate (`survey-<id>`): sent once, answered at most once.
public struct SatisfactionSurvey: Aggregate, Equatable {
    public static let category = "survey"
    public static let eventTypes: [any DomainEvent.Type] = [SurveySent.self, SurveyAnswered.self]

    public var id: String?
    public var customerId = ""
    public var caseId: String?
    public var isAnswered = false

    public init() {}

    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as SurveySent:
            id = e.surveyId
            customerId = e.customerId
            caseId = e.caseId
        case is SurveyAnswered:
            isAnswered = true
        default:
            break
        }
    }
}
