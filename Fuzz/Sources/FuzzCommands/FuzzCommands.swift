import Domain
import EventStore
import Foundation

@testable import Server

/// libFuzzer's entry point for the JSON decoders of commands and events. The input's first line
/// says which decoder gets the rest (the corpus files under `Fuzz/corpus/commands` show each form):
///
/// * `<CommandType>` (e.g. `RegisterCustomer`): the rest is an HTTP command body. It goes through
///   what `CommandRoutes` does for every route of that command — JSON into `JSONValue`, the path
///   ids and route options merged and split, the strict schema check (`BodySchema.problems`), the
///   re-encoding and the decode as the command (`CommandInvocation.decode`) — and through the
///   importer's decode of the same bytes as the command.
/// * `record`: the rest is one line of a command file (`CommandRecord`, as `crm import` reads it).
/// * `event <EventType> <version>`: the rest is stored event data for
///   `EventRegistry.domain.decode(type:version:data:)` (upcasters included).
///
/// Arbitrary bytes must give an error, never a trap. Beyond that, what decodes must behave: a body
/// the schema check accepts fails (if at all) only with errors the API answers with 4xx; a decoded
/// command decides against a new aggregate without trapping, and every event it decides encodes
/// and decodes back to the same bytes; a decoded event or command record re-encodes to a fixed
/// point (equal events give equal bytes, which idempotent retries rely on). A broken property
/// stops the fuzzer with `fatalError`, which libFuzzer reports as a crash and saves the input of.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommands(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeBufferPointer(start: start, count: count)
    guard let newline = input.firstIndex(of: UInt8(ascii: "\n")) else { return 0 }
    let selector = String(decoding: input[..<newline], as: UTF8.self)
    let body = Data(input[(newline + 1)...])
    if selector == "record" {
        fuzzRecord(body)
    } else if selector.hasPrefix("event ") {
        let words = selector.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 3, let version = UInt16(words[2]) else { return 0 }
        fuzzEvent(type: String(words[1]), version: version, data: Array(body))
    } else if let routes = Fixture.routes[selector] {
        fuzzBody(body, routes: routes)
    }
    return 0
}

/// What every input shares, built once.
enum Fixture {
    /// The command routes by command type (a command may have several routes).
    static let routes: [String: [CommandRoute]] = Dictionary(grouping: CommandRoute.all, by: \.commandType)
    /// The business time of every decision.
    static let context = DecisionContext(now: Date(timeIntervalSince1970: 1_750_000_000))
    /// The id the path gives to a route's path members (a valid id, so decoding gets past it).
    static let pathId = "fuzz-1"
}

/// An HTTP command body, as `CommandRoutes.handle` and `CommandInvocation.decode` treat it.
func fuzzBody(_ body: Data, routes: [CommandRoute]) {
    // The importer's decode of the same bytes (the `command` member of a command record).
    if let type = CommandCatalog.types[routes[0].commandType] {
        if let command = try? decodeCommand(type, body) { decide(command) }
    }
    let members: [String: JSONValue]
    if body.isEmpty {
        members = [:]
    } else {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: body) else { return }
        members = object
    }
    for route in routes {
        var members = members
        for (_, member) in route.pathMembers { members[member] = .string(Fixture.pathId) }
        var problems: [APIError.FieldProblem] = []
        for option in route.options {
            guard let value = members.removeValue(forKey: option.name) else { continue }
            problems += BodySchema.object([option]).problems(in: .object([option.name: value]))
        }
        problems += route.schema.problems(in: .object(members))
        guard problems.isEmpty else { continue }
        // The handler re-encodes the checked members; that must not fail (it would be a 500).
        guard let encoded = try? JSONBody.encode(JSONValue.object(members)) else {
            fatalError("\(route.key): the checked body cannot be re-encoded")
        }
        do {
            switch route.commandType {
            case MergeCustomers.commandType: _ = try EventRegistry.decoder.decode(MergeCustomers.self, from: Data(encoded))
            case ConvertLead.commandType: _ = try EventRegistry.decoder.decode(ConvertLead.self, from: Data(encoded))
            default:
                guard let type = CommandCatalog.types[route.commandType] else { fatalError("\(route.key): no command type") }
                decide(try decodeCommand(type, Data(encoded)))
            }
        } catch is DecodingError {
            // 400 validation-failed: the schema check cannot see every rule (e.g. a UUID's form).
        } catch is DomainError {
            // 4xx: a rule of the domain.
        } catch {
            fatalError("\(route.key): a body the schema accepts fails with \(error), which the API answers with 500")
        }
    }
}

/// One line of a command file, as `CommandFileReader` decodes it.
func fuzzRecord(_ line: Data) {
    guard let record = try? EventRegistry.decoder.decode(CommandRecord.self, from: line) else { return }
    if case .single(let command) = record.command { decide(command) }
    guard let first = try? EventRegistry.encoder.encode(record) else { fatalError("a decoded command record cannot be encoded") }
    guard let again = try? EventRegistry.decoder.decode(CommandRecord.self, from: first) else {
        fatalError("an encoded command record does not decode: \(String(decoding: first, as: UTF8.self))")
    }
    guard let second = try? EventRegistry.encoder.encode(again), second == first else {
        fatalError("a command record's encoding is not stable: \(String(decoding: first, as: UTF8.self))")
    }
}

/// Stored event data of a type and schema version.
func fuzzEvent(type: String, version: UInt16, data: [UInt8]) {
    guard let event = try? EventRegistry.domain.decode(type: type, version: version, data: data) else { return }
    roundTrip(event)
}

/// The command `type` from JSON, with the decoder the importer and the API use.
func decodeCommand(_ type: any DomainCommand.Type, _ data: Data) throws -> any DomainCommand {
    func decode<C: DomainCommand>(_: C.Type) throws -> any DomainCommand { try EventRegistry.decoder.decode(C.self, from: data) }
    return try decode(type)
}

/// Decides a command against a new aggregate; the events decided must round-trip and apply.
func decide(_ command: any DomainCommand) {
    func open<C: DomainCommand>(_ command: C) {
        guard let events = try? command.decide(C.Target(), Fixture.context) else { return }
        for event in events { roundTrip(event) }
        _ = C.Target().applying(events)
    }
    open(command)
}

/// An event encodes, decodes back at its current version, and encodes again to the same bytes.
func roundTrip(_ event: any DomainEvent) {
    guard let first = try? EventRegistry.domain.encode(event) else { fatalError("\(event.eventType) cannot be encoded") }
    let decoded: any DomainEvent
    do {
        decoded = try EventRegistry.domain.decode(type: first.type, version: first.schemaVersion, data: first.data)
    } catch {
        fatalError("\(first.type) does not decode from its own encoding (\(error)): \(String(decoding: first.data, as: UTF8.self))")
    }
    guard let second = try? EventRegistry.domain.encode(decoded), second.data == first.data else {
        fatalError("\(first.type)'s encoding is not stable: \(String(decoding: first.data, as: UTF8.self))")
    }
}
