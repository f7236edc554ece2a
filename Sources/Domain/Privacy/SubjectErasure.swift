import EventStore
import Foundation

/// Erases a data subject: destroys the data keys of the subject and of everything it owns, then
/// records `SubjectErased` on the record's stream. The log is never edited, so the chain and every
/// signed checkpoint still verify; the personal values of the subject's events read as `erased`
/// from then on, to every role.
///
/// Order: the erasure list beside the master key gets its line and the key ring its tombstones
/// (from then on nothing of the subjects opens, and no new personal data is sealed for them); the
/// log is told to refuse data sealed for them (a command decided just before); `SubjectErased` is
/// appended, after which every slot that holds their data is in the log's index and none can be
/// added; then those slots are destroyed. `reconcile()` on start-up appends the event for any
/// erased record whose stream lacks it and destroys any slot of an erased subject still alive (a
/// crash in between, or a restored backup taken before the erasure), so the log and the keys end
/// up saying the same.
public struct SubjectErasure: Sendable {
    /// What an erasure did.
    public struct Outcome: Sendable, Equatable {
        /// The subject the erasure was asked for, normalised (`customer:C1`).
        public var subject: String
        /// Every subject whose key was destroyed.
        public var erasedSubjects: [String]
        /// The stream that records it and the event's position.
        public var stream: String
        public var position: UInt64
    }

    public let handler: CommandHandler
    public let keyRing: SubjectKeyRing
    /// The duplicate index to clear the erased customer's keys from (its normalised e-mail and
    /// phone must not keep matching new registrations).
    public let duplicates: DuplicateIndex?

    public init(handler: CommandHandler, keyRing: SubjectKeyRing, duplicates: DuplicateIndex? = nil) {
        self.handler = handler
        self.keyRing = keyRing
        self.duplicates = duplicates
    }

    /// The record a subject id names: `customer:ID`, `lead:ID`, `contact:ID`, or a bare id (tried as
    /// a customer, then a lead, then a contact).
    public func resolve(_ requested: String) throws -> (subject: String, stream: String) {
        let parts = requested.split(separator: ":", maxSplits: 1).map(String.init)
        let candidates: [String] = parts.count == 2 ? [requested] : ["customer:" + requested, "lead:" + requested, "contact:" + requested]
        for candidate in candidates {
            let pieces = candidate.split(separator: ":", maxSplits: 1).map(String.init)
            guard pieces.count == 2, !pieces[1].isEmpty else { continue }
            let (kind, id) = (pieces[0], pieces[1])
            switch kind {
            case "customer":
                let (customer, _) = try handler.load(Customer.self, id: id)
                if customer.exists { return (candidate, Customer.stream(id)) }
            case "lead":
                let (lead, _) = try handler.load(Lead.self, id: id)
                if lead.exists { return (candidate, Lead.stream(id)) }
            case "contact":
                if let owner = try keyRing.owner(of: candidate), owner.hasPrefix("customer:") {
                    let customerId = String(owner.dropFirst("customer:".count))
                    let (customer, _) = try handler.load(Customer.self, id: customerId)
                    if customer.contacts[id] != nil { return (candidate, Customer.stream(customerId)) }
                }
            default:
                throw DomainError.invalid(field: "subject", reason: "'\(kind)' records cannot be erased on their own; erase the customer, contact or lead")
            }
        }
        throw DomainError.notFound(kind: "data subject", id: requested)
    }

    /// Erases `requested` (see `resolve`) and records it; `reason` goes into the envelope.
    public func erase(_ requested: String, metadata: AppendMetadata, at date: Date = Date()) async throws -> Outcome {
        guard let reason = metadata.reason, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError.invalid(field: "reason", reason: "an erasure needs a reason")
        }
        let (subject, stream) = try resolve(requested)
        if try keyRing.isErased(subject) { throw DomainError.subjectErased(subject) }
        let subjects = try destroyKeys(of: subject, at: date)
        let position = try await record(subject: subject, erased: subjects, stream: stream, reapplied: false, metadata: metadata, at: date)
        try destroySlots(of: subjects)
        return Outcome(subject: subject, erasedSubjects: subjects, stream: stream, position: position)
    }

    /// Appends `SubjectErased` for every erased customer or lead whose stream does not say so yet,
    /// destroying any key it owns that is still alive. Returns the subjects it recorded.
    @discardableResult
    public func reconcile(metadata: AppendMetadata, at date: Date = Date()) async throws -> [String] {
        var recorded: [String] = []
        let erased = try keyRing.erasedSubjects().keys.sorted()
        handler.store.refuseSealedData(of: erased)
        try destroySlots(of: erased)
        for subject in erased {
            let pieces = subject.split(separator: ":", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { continue }
            let stream: String
            switch pieces[0] {
            case "customer":
                let (customer, _) = try handler.load(Customer.self, id: pieces[1])
                guard customer.exists, !customer.isErased else { continue }
                stream = Customer.stream(pieces[1])
            case "lead":
                let (lead, _) = try handler.load(Lead.self, id: pieces[1])
                guard lead.exists, !lead.isErased else { continue }
                stream = Lead.stream(pieces[1])
            default:
                continue
            }
            let subjects = try destroyKeys(of: subject, at: date)
            _ = try await record(subject: subject, erased: subjects, stream: stream, reapplied: true, metadata: metadata, at: date)
            try destroySlots(of: subjects)
            recorded.append(subject)
        }
        return recorded
    }

    /// Tombstones `subject` and everything it owns (and destroys their keys of earlier versions),
    /// and has the log refuse data sealed for them from now on.
    private func destroyKeys(of subject: String, at date: Date) throws -> [String] {
        let subjects = try keyRing.subjectsOwned(by: subject)
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        for owned in subjects { try keyRing.erase(owned, at: milliseconds) }
        handler.store.refuseSealedData(of: subjects)
        return subjects
    }

    /// Destroys every slot the log lists for `subjects`. Called once `SubjectErased` is appended:
    /// the log refuses their sealed data since `destroyKeys`, so no slot can be added later.
    private func destroySlots(of subjects: [String]) throws {
        for subject in subjects { try keyRing.destroySlots(try handler.store.keySlots(of: subject)) }
    }

    private func record(subject: String, erased: [String], stream: String, reapplied: Bool,
                        metadata: AppendMetadata, at date: Date) async throws -> UInt64 {
        let event = SubjectErased(subject: subject, erasedSubjects: erased, reapplied: reapplied, occurredAt: date)
        let result = try await handler.store.append(stream, [try handler.registry.encode(event)], expected: .any, metadata: metadata)
        handler.forget(stream)
        if subject.hasPrefix("customer:") {
            duplicates?.set([], for: String(subject.dropFirst("customer:".count)))
        }
        return result.positions.last ?? 0
    }
}
