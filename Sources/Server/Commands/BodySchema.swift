import Domain
import Foundation

/// The shape of a command body, derived from the command's own `Decodable` conformance
/// (`SchemaProbeDecoder`), so the strict body check and the OpenAPI request schema come from the
/// one place that also decodes the body: a field added to a command is documented and accepted
/// without anyone copying it into a table.
indirect enum BodySchema: Sendable, Equatable {
    case string
    case integer
    case number
    case boolean
    /// An ISO-8601 time, as `EventRegistry.decoder` reads it.
    case dateTime
    /// `Money`: `{ "amount": "12.50", "currency": "EUR" }`.
    case money
    case enumeration([String])
    case array(BodySchema)
    /// An object with free member names (a dictionary), each member of the given schema.
    case map(BodySchema)
    /// An object with exactly these members; any other member is refused.
    case object([Field])
    /// `null` or the wrapped schema.
    case nullable(BodySchema)

    /// One member of an object.
    struct Field: Sendable, Equatable {
        var name: String
        var schema: BodySchema
        /// Required members must be present and not null; optional ones may be absent or null.
        var required: Bool
    }

    /// The schema of a `Decodable` type, or nil when the type cannot be probed (a shape the probe
    /// does not understand; `CommandRouteTests` checks every command has a schema).
    static func of<T: Decodable>(_ type: T.Type) -> BodySchema? {
        try? SchemaProbeDecoder.probe(type).schema
    }

    /// The members of an object schema (empty for other schemas).
    var fields: [Field] {
        if case .object(let fields) = self { return fields }
        return []
    }

    /// This object schema without the named members' requirement: ids that come from the path may
    /// be repeated in the body but need not be.
    func optional(_ names: Set<String>) -> BodySchema {
        guard case .object(let fields) = self else { return self }
        return .object(fields.map { field in
            var field = field
            if names.contains(field.name) { field.required = false }
            return field
        })
    }

    /// This object schema with an extra member (API-level options such as a registration's manager).
    func adding(_ field: Field) -> BodySchema {
        guard case .object(let fields) = self else { return self }
        return .object(fields + [field])
    }

    /// This object schema without the named members.
    func removing(_ names: Set<String>) -> BodySchema {
        guard case .object(let fields) = self else { return self }
        return .object(fields.filter { !names.contains($0.name) })
    }

    // MARK: Checking a body

    /// Every way `value` departs from this schema, with the path of each offending member
    /// (`prefix` is the path of `value` itself; empty for the body).
    func problems(in value: JSONValue, at prefix: String = "") -> [APIError.FieldProblem] {
        let here = prefix.isEmpty ? "body" : prefix
        func problem(_ reason: String) -> [APIError.FieldProblem] { [APIError.FieldProblem(field: here, reason: reason)] }
        switch (self, value) {
        case (.nullable, .null): return []
        case (.nullable(let wrapped), _): return wrapped.problems(in: value, at: prefix)
        case (.string, .string): return []
        case (.string, _): return problem("must be a string")
        case (.integer, .number(let number)):
            return number == number.rounded() && abs(number) < 9.0e15 ? [] : problem("must be an integer")
        case (.integer, _): return problem("must be an integer")
        case (.number, .number): return []
        case (.number, _): return problem("must be a number")
        case (.boolean, .bool): return []
        case (.boolean, _): return problem("must be true or false")
        case (.dateTime, .string(let text)):
            return Timestamp.parse(text) == nil ? problem("must be an ISO-8601 time such as 2025-03-04T09:15:00.000Z") : []
        case (.dateTime, _): return problem("must be an ISO-8601 time string")
        case (.enumeration(let values), .string(let text)):
            return values.contains(text) ? [] : problem("must be one of \(values.joined(separator: ", "))")
        case (.enumeration(let values), _): return problem("must be one of \(values.joined(separator: ", "))")
        case (.money, .object):
            let shape = BodySchema.moneyShape.problems(in: value, at: prefix)
            guard shape.isEmpty, case .string(let amount)? = value["amount"], case .string(let currency)? = value["currency"] else { return shape }
            do { _ = try Money(amount, currency) } catch {
                if case .invalid(let field, let reason) = error {
                    return [APIError.FieldProblem(field: Self.join(prefix, field), reason: reason)]
                }
                return problem(error.description)
            }
            return []
        case (.money, _): return problem(#"must be an amount such as {"amount": "12.50", "currency": "EUR"}"#)
        case (.array(let items), .array(let values)):
            return values.enumerated().flatMap { index, item in items.problems(in: item, at: "\(here)[\(index)]") }
        case (.array, _): return problem("must be an array")
        case (.map(let members), .object(let values)):
            return values.keys.sorted().flatMap { key in members.problems(in: values[key] ?? .null, at: Self.join(prefix, key)) }
        case (.map, _): return problem("must be an object")
        case (.object(let fields), .object(let values)):
            let known = Set(fields.map(\.name))
            var found = values.keys.filter { !known.contains($0) }.sorted().map {
                APIError.FieldProblem(field: Self.join(prefix, $0), reason: "unknown field")
            }
            for field in fields {
                let path = Self.join(prefix, field.name)
                switch values[field.name] {
                case nil, .null?:
                    if field.required { found.append(APIError.FieldProblem(field: path, reason: "required")) }
                case let member?:
                    found += field.schema.problems(in: member, at: path)
                }
            }
            return found
        case (.object, _): return problem("must be an object")
        }
    }

    private static let moneyShape = BodySchema.object([
        Field(name: "amount", schema: .string, required: true), Field(name: "currency", schema: .string, required: true),
    ])

    private static func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    // MARK: Documenting a body

    /// The JSON Schema of this shape, closed (`additionalProperties: false`) wherever members are fixed.
    var jsonSchema: JSONValue {
        switch self {
        case .string: Schema.string
        case .integer: Schema.integer
        case .number: Schema.number
        case .boolean: Schema.boolean
        case .dateTime: Schema.dateTime
        case .money: Schema.ref("Money")
        case .enumeration(let values): Schema.string(enum: values)
        case .array(let items): Schema.array(of: items.jsonSchema)
        case .map(let members): ["type": "object", "additionalProperties": members.jsonSchema]
        case .object(let fields):
            Schema.object(Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.schema.jsonSchema) }),
                          required: fields.filter(\.required).map(\.name), closed: true)
        case .nullable(let wrapped): Schema.nullable(wrapped.jsonSchema)
        }
    }

    /// The named `Money` schema the command schemas refer to.
    static let moneySchema: JSONValue = Schema.object([
        "amount": ["type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$", "description": "A non-negative decimal with at most two decimals."],
        "currency": ["type": "string", "pattern": "^[A-Z]{3}$", "description": "An ISO 4217 code."],
    ], required: ["amount", "currency"], closed: true)
}
