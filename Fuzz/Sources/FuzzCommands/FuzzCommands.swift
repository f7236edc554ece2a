import Domain
import EventStore
import Foundation

/// libFuzzer's entry point for the domain's JSON decoders. The input's first line says which
/// decoder gets the rest (the files under `Fuzz/corpus/commands` show each form):
///
/// * `<CommandType>` (e.g. `RegisterCustomer`): a command's JSON, decoded as that command with
///   `EventRegistry.decoder`, as the importer decodes the `command` member of a record and as
///   `CommandInvocation.decode` decodes an API body.
/// * `record`: one line of a command file (`CommandRecord`, as `crm import` reads it).
/// * `event <EventType> <version>`: stored event data for
///   `EventRegistry.domain.decode(type:version:data:)` (upcasters included).
///
/// Arbitrary bytes must give an error, never a trap. Beyond that, what decodes must behave: a
/// decoded command decides against a new aggregate without trapping, and every event it decides
/// encodes and decodes back to the same bytes; a decoded event or command record re-encodes to a
/// fixed point (equal events give equal bytes, which idempotent retries rely on). A broken property
/// stops the fuzzer with `fatalError`, which libFuzzer reports as a crash and saves the input of.
///
/// The server's strict body check in front of these decoders is fuzzed by `FuzzBodies`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommands(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeBufferPointer(start: start, count: count)
    guard let newline = input.firstIndex(of: UInt8(ascii: "\n")) else { return 0 }
    let selector = String(decoding: input[..<newline], as: UTF8.self)
    let body = Data(input[(newline + 1)...])
    switch selector {
    case "record":
        fuzzRecord(body)
    case MergeCustomers.commandType:
        _ = try? EventRegistry.decoder.decode(MergeCustomers.self, from: body)
    case ConvertLead.commandType:
        _ = try? EventRegistry.decoder.decode(ConvertLead.self, from: body)
    case let selector where selector.hasPrefix("event "):
        let words = selector.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 3, let version = UInt16(words[2]) else { return 0 }
        fuzzEvent(type: String(words[1]), version: version, data: Array(body))
    case let selector:
        guard let type = CommandCatalog.types[selector], let command = try? decodeCommand(type, body) else { return 0 }
        decide(command)
    }
    return 0
}

/// The business time of every decision.
let decisionContext = DecisionContext(now: Date(timeIntervalSince1970: 1_750_000_000))

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
        guard let events = try? command.decide(C.Target(), decisionContext) else { return }
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
