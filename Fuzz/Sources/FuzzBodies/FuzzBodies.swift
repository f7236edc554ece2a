import Domain
import EventStore
import Foundation

@testable import Server

/// libFuzzer's entry point for the API's strict command-body check. The input is
/// `<CommandType>\n<body>` (the `body-*` files under `Fuzz/corpus/commands`); other inputs of that
/// corpus are ignored.
///
/// The body goes through what `CommandRoutes.handle` does for every route of that command: JSON into
/// `JSONValue` (it must be an object), the path ids merged in and the route's options taken out,
/// the strict schema check (`BodySchema.problems`, including time and money members), the
/// re-encoding, and the decode as the command (`CommandInvocation.decode`).
///
/// Arbitrary bytes must give an error, never a trap; a body the schema check accepts must re-encode,
/// and must then decode or fail only with the errors the API answers with 4xx (`DecodingError`,
/// `DomainError`), never with one it answers with 500. A broken property stops the fuzzer with
/// `fatalError`, which libFuzzer reports as a crash and saves the input of.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBodies(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeBufferPointer(start: start, count: count)
    guard let newline = input.firstIndex(of: UInt8(ascii: "\n")),
          let routes = routesByCommand[String(decoding: input[..<newline], as: UTF8.self)] else { return 0 }
    let body = Data(input[(newline + 1)...])
    let members: [String: JSONValue]
    if body.isEmpty {
        members = [:]
    } else {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: body) else { return 0 }
        members = object
    }
    for route in routes { check(route, members) }
    return 0
}

/// The command routes by command type (a command may have several routes).
let routesByCommand: [String: [CommandRoute]] = Dictionary(grouping: CommandRoute.all, by: \.commandType)

/// The id the path gives to a route's path members (a valid id, so decoding gets past it).
let pathId = "fuzz-1"

/// One route's handling of the body's members, up to the decision.
func check(_ route: CommandRoute, _ body: [String: JSONValue]) {
    var members = body
    for (_, member) in route.pathMembers { members[member] = .string(pathId) }
    var problems: [APIError.FieldProblem] = []
    for option in route.options {
        guard let value = members.removeValue(forKey: option.name) else { continue }
        problems += BodySchema.object([option]).problems(in: .object([option.name: value]))
    }
    problems += route.schema.problems(in: .object(members))
    guard problems.isEmpty else { return }
    // The handler re-encodes the checked members; a failure there would be a 500.
    guard let encoded = try? JSONBody.encode(JSONValue.object(members)) else {
        fatalError("\(route.key): the checked body cannot be re-encoded")
    }
    do {
        switch route.commandType {
        case MergeCustomers.commandType: _ = try EventRegistry.decoder.decode(MergeCustomers.self, from: Data(encoded))
        case ConvertLead.commandType: _ = try EventRegistry.decoder.decode(ConvertLead.self, from: Data(encoded))
        default:
            guard let type = CommandCatalog.types[route.commandType] else { fatalError("\(route.key): no command type") }
            func decode<C: DomainCommand>(_: C.Type) throws { _ = try EventRegistry.decoder.decode(C.self, from: Data(encoded)) }
            try decode(type)
        }
    } catch is DecodingError {
        // 400 validation-failed: the schema check cannot see every rule (e.g. a UUID's form).
    } catch is DomainError {
        // 4xx: a rule of the domain.
    } catch {
        fatalError("\(route.key): a body the schema accepts fails with \(error), which the API answers with 500")
    }
}
