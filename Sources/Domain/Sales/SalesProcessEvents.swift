import Foundation

/// One step of a sales process and its template: how likely a deal at this step is to be won, and
/// which opportunity fields must be filled in before a deal may enter it.
public struct SalesStage: Sendable, Codable, Equatable {
    /// Unique within its process, e.g. `qualification`, `proposal`, `negotiation`.
    public var name: String
    /// 0–100: weights the pipeline forecast.
    public var winProbability: Int
    /// Opportunity field names (e.g. `budget`, `decisionMaker`, `proposalSentAt`) that must have a
    /// value to enter this stage.
    public var requiredFields: [String]

    public init(name: String, winProbability: Int, requiredFields: [String] = []) {
        self.name = name
        self.winProbability = winProbability
        self.requiredFields = requiredFields
    }

    /// Upper bound on stages per process.
    static let maxStages = 30

    /// Trimmed, checked stages: at least one, unique names (ignoring case), probabilities within
    /// 0–100, required fields valid identifiers (duplicates dropped, order kept).
    static func validated(_ stages: [SalesStage]) throws(DomainError) -> [SalesStage] {
        guard !stages.isEmpty else { throw .invalid(field: "stages", reason: "at least one stage is required") }
        guard stages.count <= maxStages else { throw .invalid(field: "stages", reason: "more than \(maxStages) stages") }
        var seen = Set<String>()
        var clean: [SalesStage] = []
        for (index, stage) in stages.enumerated() {
            let name = try Validate.text(stage.name, "stages[\(index)].name", max: 60)
            guard seen.insert(name.lowercased()).inserted else {
                throw .invalid(field: "stages[\(index)].name", reason: "'\(name)' appears twice")
            }
            guard (0...100).contains(stage.winProbability) else {
                throw .invalid(field: "stages[\(index)].winProbability", reason: "must be between 0 and 100")
            }
            var fields: [String] = []
            for field in stage.requiredFields {
                let field = try Validate.id(field, "stages[\(index)].requiredFields")
                if !fields.contains(field) { fields.append(field) }
            }
            clean.append(SalesStage(name: name, winProbability: stage.winProbability, requiredFields: fields))
        }
        return clean
    }
}

/// A sales process was set up (version 1): the ordered steps opportunities following it go through.
public struct SalesProcessDefined: DomainEvent {
    public static let eventType = "SalesProcessDefined"
    public var processId: String
    public var name: String
    /// Always 1.
    public var version: Int
    public var stages: [SalesStage]
    /// Whether an opportunity may jump over stages when moving forward.
    public var allowsSkipping: Bool
    public var occurredAt: Date
}

/// The process was improved; `version` is the previous one plus one. Opportunities already open
/// keep the version they follow until they adopt the new one.
public struct SalesProcessRevised: DomainEvent {
    public static let eventType = "SalesProcessRevised"
    public var processId: String
    public var name: String
    public var version: Int
    public var stages: [SalesStage]
    public var allowsSkipping: Bool
    public var reason: String?
    public var occurredAt: Date
}
