import Foundation

/// How a satisfaction survey reached the customer; response rates differ by channel.
public enum SurveyChannel: String, Sendable, Codable, CaseIterable {
    case email, sms, phone, web
}

/// A satisfaction survey went to a customer, after a case or on its own (relationship survey).
public struct SurveySent: DomainEvent {
    public static let eventType = "SurveySent"
    public var surveyId: String
    public var customerId: String
    public var caseId: String?
    public var channel: SurveyChannel
    public var occurredAt: Date
}

/// The customer answered: CSAT (1–5, satisfaction with the service) and NPS (0–10, likelihood to
/// recommend, the loyalty signal). Carries the customer and case so satisfaction reads need no join.
public struct SurveyAnswered: DomainEvent {
    public static let eventType = "SurveyAnswered"
    public var surveyId: String
    public var customerId: String
    public var caseId: String?
    public var csat: Int
    public var nps: Int
    public var comment: String?
    public var occurredAt: Date
}
