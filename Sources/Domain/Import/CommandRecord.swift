import EventStore
import Foundation

/// One command in a command file (a line of NDJSON), as the simulator writes it and `crm import`
/// reads it: who issued it, from where, when (business time), and the command itself.
///
/// ```json
/// {"id":"…","at":"2025-03-04T09:15:00.000Z","actor":{"id":"mgr-01","role":"manager"},
///  "source":{"clientAddress":"10.20.1.17","userAgent":"crm-web/3.2","host":"ws-017"},
///  "type":"RegisterCustomer","command":{…}}
/// ```
public struct CommandRecord: Codable, Sendable {
    /// The command's id; its events get ids derived from it, so a re-import writes nothing twice.
    public var id: UUID
    /// Business time at which the command was issued.
    public var at: Date
    public var actor: Actor
    public var source: Source
    /// Why, when the command needs a reason in the audit trail.
    public var reason: String?
    public var command: AnyCommand

    public init(id: UUID, at: Date, actor: Actor, source: Source, reason: String? = nil, command: AnyCommand) {
        self.id = id
        self.at = at
        self.actor = actor
        self.source = source
        self.reason = reason
        self.command = command
    }

    enum CodingKeys: String, CodingKey { case id, at, actor, source, reason, type, command }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(UUID.self, forKey: .id)
        at = try container.decode(Date.self, forKey: .at)
        actor = try container.decode(Actor.self, forKey: .actor)
        source = try container.decode(Source.self, forKey: .source)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case MergeCustomers.commandType: command = .mergeCustomers(try container.decode(MergeCustomers.self, forKey: .command))
        case ConvertLead.commandType: command = .convertLead(try container.decode(ConvertLead.self, forKey: .command))
        default:
            guard let commandType = CommandCatalog.types[type] else {
                throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown command type '\(type)'")
            }
            func decode<C: DomainCommand>(_: C.Type) throws -> any DomainCommand { try container.decode(C.self, forKey: .command) }
            command = .single(try decode(commandType))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(at, forKey: .at)
        try container.encode(actor, forKey: .actor)
        try container.encode(source, forKey: .source)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(command.type, forKey: .type)
        switch command {
        case .single(let single): try container.encode(single, forKey: .command)
        case .mergeCustomers(let merge): try container.encode(merge, forKey: .command)
        case .convertLead(let convert): try container.encode(convert, forKey: .command)
        }
    }

    /// The envelope metadata of the events this command produces.
    public var metadata: AppendMetadata {
        AppendMetadata(actor: actor, source: source, correlationId: id, causationId: id, reason: reason)
    }
}

/// Any command of the domain: those that change one aggregate, and the two that change several.
public enum AnyCommand: Sendable {
    case single(any DomainCommand)
    case mergeCustomers(MergeCustomers)
    case convertLead(ConvertLead)

    /// The stable command type name.
    public var type: String {
        switch self {
        case .single(let command): Swift.type(of: command).commandType
        case .mergeCustomers: MergeCustomers.commandType
        case .convertLead: ConvertLead.commandType
        }
    }
}
