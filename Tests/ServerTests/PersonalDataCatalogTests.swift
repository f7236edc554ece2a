import Domain
import EventStore
import Foundation
@testable import Server
import Testing

/// The personal-data catalog against the events as the code defines them: every string member of
/// every registered event type (found by probing its `Decodable` conformance, the same probe that
/// derives command body schemas) must be declared personal or not personal, exactly once; no
/// declaration may name a member that does not exist; and an erased event of every type must still
/// decode with the marker in its personal members.
@Suite("Personal data catalog")
struct PersonalDataCatalogTests {
    /// What a string-valued member holds.
    enum Leaf: Equatable {
        /// Free text (may carry anything, so it may be personal).
        case text
        /// One of a fixed set of values (`CaseIterable` enumerations); never personal, but declared.
        case enumeration
    }

    /// Every registered event type by its stored name.
    static let types: [String: any DomainEvent.Type] = {
        var byName: [String: any DomainEvent.Type] = [:]
        for type in DomainCatalog.aggregates.flatMap({ $0.eventTypes }) + IntegrationEvents.all {
            byName[type.eventType] = type
        }
        return byName
    }()

    static func schema<E: DomainEvent>(of type: E.Type) throws -> BodySchema {
        try SchemaProbeDecoder.probe(E.self).schema
    }

    /// The string-valued paths below `schema`, in the catalog's notation: `name`, `changes[].old`,
    /// `fields.*`, `classification.segment`, `productIds[]`. Dates, money, numbers and booleans
    /// are not strings.
    static func stringPaths(_ schema: BodySchema, _ prefix: String = "") -> [String: Leaf] {
        func join(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
        switch schema {
        case .string: return [prefix: .text]
        case .enumeration: return [prefix: .enumeration]
        case .integer, .number, .boolean, .dateTime, .money: return [:]
        case .nullable(let wrapped): return stringPaths(wrapped, prefix)
        case .array(let items): return stringPaths(items, prefix + "[]")
        case .map(let members): return stringPaths(members, join("*"))
        case .object(let fields):
            var paths: [String: Leaf] = [:]
            for field in fields { paths.merge(stringPaths(field.schema, join(field.name))) { a, _ in a } }
            return paths
        }
    }

    /// The paths below `schema` whose JSON is a string but whose value is not text: times
    /// (ISO-8601) and the amount and currency of money.
    static func formattedPaths(_ schema: BodySchema, _ prefix: String = "") -> Set<String> {
        func join(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
        switch schema {
        case .dateTime: return [prefix]
        case .money: return [join("amount"), join("currency")]
        case .string, .enumeration, .integer, .number, .boolean: return []
        case .nullable(let wrapped): return formattedPaths(wrapped, prefix)
        case .array(let items): return formattedPaths(items, prefix + "[]")
        case .map(let members): return formattedPaths(members, join("*"))
        case .object(let fields): return fields.reduce(into: []) { $0.formUnion(formattedPaths($1.schema, join($1.name))) }
        }
    }

    /// A JSON value of `schema` with every optional member present, every array and map holding one
    /// element, strings "x", enumerations their first case: the fullest event of the type.
    static func sample(_ schema: BodySchema) -> Any {
        switch schema {
        case .string: return "x"
        case .integer: return 1
        case .number: return 1.5
        case .boolean: return false
        case .dateTime: return "2026-01-01T00:00:00.000Z"
        case .money: return ["amount": "12.50", "currency": "EUR"]
        case .enumeration(let values): return values.first ?? "x"
        case .nullable(let wrapped): return sample(wrapped)
        case .array(let items): return [sample(items)]
        case .map(let members): return ["*": sample(members)]  // the member name is the catalog's wildcard
        case .object(let fields):
            var object: [String: Any] = [:]
            for field in fields { object[field.name] = sample(field.schema) }
            return object
        }
    }

    /// Every string in a JSON value with its path in the catalog's notation (array elements as
    /// `[]`, members by name: the samples' map members are named `*`).
    static func jsonStringPaths(_ value: Any, _ prefix: String = "") -> Set<String> {
        if value is String { return [prefix] }
        if let array = value as? [Any] { return array.reduce(into: []) { $0.formUnion(jsonStringPaths($1, prefix + "[]")) } }
        if let object = value as? [String: Any] {
            return object.reduce(into: []) { paths, member in
                paths.formUnion(jsonStringPaths(member.value, prefix.isEmpty ? member.key : prefix + "." + member.key))
            }
        }
        return []
    }

    @Test("every registered event type is declared, and only those")
    func everyTypeDeclared() {
        let registered = Set(EventRegistry.domain.typeNames)
        #expect(Set(Self.types.keys) == registered, "the probe's type list must be the registry's")
        let declared = Set(PersonalDataCatalog.declarations.keys)
        #expect(registered.subtracting(declared).sorted() == [], "event types without a declaration")
        #expect(declared.subtracting(registered).sorted() == [], "declarations of event types that do not exist")
    }

    @Test("every string member of every event is declared exactly once, and every declared member exists")
    func everyStringMemberDeclared() throws {
        var undeclared: [String] = [], twice: [String] = [], stale: [String] = [], notText: [String] = [], duplicates: [String] = []
        for name in Self.types.keys.sorted() {
            let type = Self.types[name]!
            let schema = try Self.schema(of: type)
            let paths = Self.stringPaths(schema)
            guard let declaration = PersonalDataCatalog.declarations[name] else { continue }
            let personal = Set(declaration.personal), open = Set(declaration.notPersonal)
            if personal.count != declaration.personal.count || open.count != declaration.notPersonal.count {
                duplicates.append(name)
            }
            for path in paths.keys.sorted() {
                switch (personal.contains(path), open.contains(path)) {
                case (false, false): undeclared.append("\(name).\(path)")
                case (true, true): twice.append("\(name).\(path)")
                default: break
                }
            }
            for path in personal.union(open).sorted() where paths[path] == nil { stale.append("\(name).\(path)") }
            // The marker replaces a personal value, so a personal member must accept any text.
            for path in personal.sorted() where paths[path] == .enumeration { notText.append("\(name).\(path)") }
        }
        #expect(undeclared == [], "string members declared neither personal nor not personal")
        #expect(twice == [], "string members declared both personal and not personal")
        #expect(stale == [], "declared members that the event does not have")
        #expect(notText == [], "personal members that are enumerations (the erasure marker would not decode)")
        #expect(duplicates == [], "declarations listing a member twice")
    }

    @Test("the JSON the registry writes has no string member the declarations miss")
    func encodedMembersDeclared() throws {
        var undeclared: [String] = []
        for name in Self.types.keys.sorted() {
            let type = Self.types[name]!
            guard let declaration = PersonalDataCatalog.declarations[name] else { continue }
            let declared = Set(declaration.personal + declaration.notPersonal)
            let schema = try Self.schema(of: type)
            let formatted = Self.formattedPaths(schema)
            let json = Self.sample(schema)
            let data = try JSONSerialization.data(withJSONObject: json)
            // Decoded by the registry and written again: members a custom encoding adds show up here.
            let event = try EventRegistry.domain.decode(type: name, version: type.schemaVersion, data: Array(data))
            let written = try JSONSerialization.jsonObject(with: Data(EventRegistry.domain.encode(event).data))
            for path in Self.jsonStringPaths(written).sorted() where !declared.contains(path) && !formatted.contains(path) {
                undeclared.append("\(name).\(path)")
            }
        }
        #expect(undeclared == [])
    }

    @Test("subject and owner members exist; a type with personal members names its subject")
    func subjectsExist() throws {
        var problems: [String] = []
        for (name, declaration) in PersonalDataCatalog.declarations.sorted(by: { $0.key < $1.key }) {
            guard let type = Self.types[name] else { continue }
            let schema = try Self.schema(of: type)
            let paths = Self.stringPaths(schema)
            let topLevel = Set(schema.fields.map(\.name))
            if !declaration.personal.isEmpty, declaration.subject == nil { problems.append("\(name): personal members without a subject") }
            for reference in [declaration.subject, declaration.owner].compactMap({ $0 }) {
                if !topLevel.contains(reference.field) || paths[reference.field] != .text {
                    problems.append("\(name): subject member \(reference.field) is not a top-level string")
                }
                if !["customer", "contact", "lead", "opportunity"].contains(reference.kind) {
                    problems.append("\(name): unknown subject kind \(reference.kind)")
                }
                if declaration.personal.contains(reference.field) { problems.append("\(name): the subject id \(reference.field) is declared personal") }
            }
        }
        #expect(problems == [])
    }

    @Test("an erased event of every type decodes, with the marker in every personal member")
    func erasedEventsDecode() throws {
        var failures: [String] = []
        for name in Self.types.keys.sorted() {
            let type = Self.types[name]!
            guard let declaration = PersonalDataCatalog.declarations[name], !declaration.personal.isEmpty else { continue }
            let json = try Self.sample(Self.schema(of: type))
            let data = Array(try JSONSerialization.data(withJSONObject: json))
            // No key ring: every sealed value reads as erased.
            let erased = PersonalDataProtection.open(type: name, data: data, sealed: SealedData(subject: "customer:x", ciphertext: []),
                                                     eventId: UUID(), keyRing: nil)
            do {
                let event = try EventRegistry.domain.decode(type: name, version: type.schemaVersion, data: erased)
                let written = try JSONSerialization.jsonObject(with: Data(EventRegistry.domain.encode(event).data))
                let object = try #require(written as? [String: Any])
                for path in declaration.personal {
                    let values = Self.values(in: object, at: path)
                    if values.isEmpty || values.contains(where: { $0 != PersonalDataProtection.erasedMarker }) {
                        failures.append("\(name).\(path): \(values)")
                    }
                }
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        #expect(failures == [])
    }

    /// The strings at a catalog path in a JSON object.
    static func values(in object: [String: Any], at path: String) -> [String] {
        var current: [Any] = [object]
        for part in path.split(separator: ".") {
            var next: [Any] = []
            let name = part.hasSuffix("[]") ? String(part.dropLast(2)) : String(part)
            for value in current {
                guard let object = value as? [String: Any] else { continue }
                let members: [Any] = name == "*" ? Array(object.values) : object[name].map { [$0] } ?? []
                for member in members {
                    if part.hasSuffix("[]") { next += (member as? [Any]) ?? [] } else { next.append(member) }
                }
            }
            current = next
        }
        return current.compactMap { $0 as? String }
    }
}
