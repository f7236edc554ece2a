import Domain
import Foundation

/// One logged interaction in a customer's recent-interaction list. `position` is the log
/// position, the tie-break between interactions of the same business time, so the newest-first
/// order is total and deterministic.
public struct CustomerInteraction: Sendable, Codable, Equatable {
    public var interactionId: String
    /// The customer whose stream logged it (differs from the viewed customer after a merge).
    public var customerId: String
    public var occurredAt: Date
    public var channel: InteractionChannel
    public var direction: Direction
    public var outcome: String
    public var subject: String?
    public var caseId: String?
    public var opportunityId: String?
    public var campaignId: String?
    public var position: UInt64

    /// Newest first: later business time, then later log position.
    static func newerFirst(_ a: CustomerInteraction, _ b: CustomerInteraction) -> Bool {
        a.occurredAt != b.occurredAt ? a.occurredAt > b.occurredAt : a.position > b.position
    }

    /// How many the 360 view keeps.
    public static let kept = 20
}
