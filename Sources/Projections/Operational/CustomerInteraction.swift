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

extension CustomerInteraction: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        let optionals = (campaignId == nil ? 0 : 1) + (caseId == nil ? 0 : 1) + (opportunityId == nil ? 0 : 1) + (subject == nil ? 0 : 1)
        output.appendObjectHeader(count: 7 + optionals)
        if let campaignId { output.appendEntryKey("campaignId"); output.appendString(campaignId) }
        if let caseId { output.appendEntryKey("caseId"); output.appendString(caseId) }
        output.appendEntryKey("channel"); output.appendString(channel.rawValue)
        output.appendEntryKey("customerId"); output.appendString(customerId)
        output.appendEntryKey("direction"); output.appendString(direction.rawValue)
        output.appendEntryKey("interactionId"); output.appendString(interactionId)
        output.appendEntryKey("occurredAt"); output.appendDate(occurredAt)
        if let opportunityId { output.appendEntryKey("opportunityId"); output.appendString(opportunityId) }
        output.appendEntryKey("outcome"); output.appendString(outcome)
        output.appendEntryKey("position"); output.appendUnsigned(position)
        if let subject { output.appendEntryKey("subject"); output.appendString(subject) }
    }
}
