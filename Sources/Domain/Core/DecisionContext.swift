import Foundation

/// What a decision may know besides the target's own state: business time, configuration, and the
/// referenced records, all gathered before deciding so that `decide` stays pure and replayable.
public struct DecisionContext: Sendable {
    /// Business time of the command: now for live commands, the simulated time for imports.
    public var now: Date
    public var configuration: DomainConfiguration
    /// Referenced aggregates by stream; a missing key means the record does not exist.
    public var records: [String: any Aggregate]
    /// Existing customers a registration matches (filled by the customer service).
    public var duplicateMatches: [DuplicateMatch]

    public init(now: Date, configuration: DomainConfiguration = .standard, records: [String: any Aggregate] = [:], duplicateMatches: [DuplicateMatch] = []) {
        self.now = now
        self.configuration = configuration
        self.records = records
        self.duplicateMatches = duplicateMatches
    }

    /// This context with the referenced records loaded.
    public func resolving(_ references: [RecordReference], with loader: any AggregateLoader) throws -> DecisionContext {
        var context = self
        for reference in references {
            if let record = try reference.load(loader) { context.records[reference.stream] = record }
        }
        return context
    }

    /// The referenced aggregate `A` with `id`, or nil if it does not exist.
    public func record<A: Aggregate>(_ type: A.Type, _ id: String) -> A? {
        records[A.stream(id)] as? A
    }
}

/// An existing customer that a new registration resembles, and on which normalized fields.
public struct DuplicateMatch: Sendable, Equatable, Codable {
    public var customerId: String
    public var fields: [String]

    public init(customerId: String, fields: [String]) {
        self.customerId = customerId
        self.fields = fields
    }
}
