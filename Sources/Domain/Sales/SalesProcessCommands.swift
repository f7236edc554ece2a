import Foundation

/// Sets up a sales process: its ordered stages with win probabilities and required fields, and
/// whether opportunities may skip stages.
public struct DefineSalesProcess: DomainCommand {
    public typealias Target = SalesProcess
    public static let commandType = "DefineSalesProcess"
    public var processId: String
    public var name: String
    public var stages: [SalesStage]
    public var allowsSkipping: Bool

    public init(processId: String, name: String, stages: [SalesStage], allowsSkipping: Bool = false) {
        self.processId = processId
        self.name = name
        self.stages = stages
        self.allowsSkipping = allowsSkipping
    }

    public var targetId: String { processId }

    public func decide(_ state: SalesProcess, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(processId, "processId")
        guard !state.exists else { throw .alreadyExists(kind: "salesProcess", id: id) }
        return [SalesProcessDefined(processId: id, name: try Validate.text(name, "name", max: 100), version: 1,
                                    stages: try SalesStage.validated(stages), allowsSkipping: allowsSkipping,
                                    occurredAt: context.now)]
    }
}

/// Replaces the stages (and optionally the name and skipping rule) with a new version. A revision
/// identical to the current version changes nothing.
public struct ReviseSalesProcess: DomainCommand {
    public typealias Target = SalesProcess
    public static let commandType = "ReviseSalesProcess"
    public var processId: String
    /// nil keeps the current name.
    public var name: String?
    public var stages: [SalesStage]
    public var allowsSkipping: Bool
    public var reason: String?

    public init(processId: String, name: String? = nil, stages: [SalesStage], allowsSkipping: Bool, reason: String? = nil) {
        self.processId = processId
        self.name = name
        self.stages = stages
        self.allowsSkipping = allowsSkipping
        self.reason = reason
    }

    public var targetId: String { processId }

    public func decide(_ state: SalesProcess, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        guard state.exists else { throw .notFound(kind: "salesProcess", id: processId) }
        let name = try name.map { v throws(DomainError) in try Validate.text(v, "name", max: 100) } ?? state.name
        let stages = try SalesStage.validated(stages)
        let reason = try Validate.optionalText(reason, "reason", max: 500)
        guard name != state.name || stages != state.stages || allowsSkipping != state.allowsSkipping else { return [] }
        return [SalesProcessRevised(processId: processId, name: name, version: state.version + 1, stages: stages,
                                    allowsSkipping: allowsSkipping, reason: reason, occurredAt: context.now)]
    }
}
