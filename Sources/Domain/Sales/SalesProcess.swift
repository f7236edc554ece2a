import Foundation

/// The sales-process aggregate (`salesprocess-<id>`): the current version of a sequence of stages
/// with their templates, which opportunities copy when they open or adopt a revision.
public struct SalesProcess: Aggregate, Equatable {
    public static let category = "salesprocess"
    public static let eventTypes: [any DomainEvent.Type] = [SalesProcessDefined.self, SalesProcessRevised.self]

    public var id: String?
    public var name = ""
    /// 0 before definition, 1 once defined, +1 per revision.
    public var version = 0
    public var stages: [SalesStage] = []
    public var allowsSkipping = false

    public init() {}

    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as SalesProcessDefined:
            id = e.processId
            name = e.name
            version = e.version
            stages = e.stages
            allowsSkipping = e.allowsSkipping
        case let e as SalesProcessRevised:
            name = e.name
            version = e.version
            stages = e.stages
            allowsSkipping = e.allowsSkipping
        default:
            break
        }
    }
}
