import Foundation

/// A customer interaction an external system saw first — a call the telephony system (CTI)
/// connected, a web form the site received, a chat the messaging platform carried — appended by
/// that system to a stream of its own (`ext-<system>`) through the integration API.
///
/// It is a known integration event type: projections read it like an interaction logged through
/// a command (the customer 360's recent interactions), but no aggregate folds it, so an
/// integration can add to a customer's history without being able to change its state.
public struct ExternalInteractionRecorded: DomainEvent {
    public static let eventType = "ExternalInteractionRecorded"
    /// The customer the interaction was with.
    public var customerId: String
    /// The external system's name, e.g. `cti`, `webshop`.
    public var system: String
    /// The interaction's id in that system; with `system`, its id in the customer 360.
    public var externalId: String
    public var channel: InteractionChannel
    public var direction: Direction
    public var durationSeconds: Int?
    /// What came of it, in the system's words (`answered`, `voicemail`, `submitted`).
    public var outcome: String
    public var subject: String?
    public var occurredAt: Date

    public init(customerId: String, system: String, externalId: String, channel: InteractionChannel, direction: Direction,
                durationSeconds: Int? = nil, outcome: String, subject: String? = nil, occurredAt: Date) {
        self.customerId = customerId
        self.system = system
        self.externalId = externalId
        self.channel = channel
        self.direction = direction
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.subject = subject
        self.occurredAt = occurredAt
    }
}
