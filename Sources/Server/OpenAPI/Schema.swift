/// Shorthands for the JSON Schema (2020-12, as OpenAPI 3.1 uses it) of request and response
/// bodies, so that a route's documentation stays a few lines beside the route.
enum Schema {
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let number: JSONValue = ["type": "number"]
    static let boolean: JSONValue = ["type": "boolean"]
    /// An ISO-8601 timestamp with milliseconds, as every date in the API is written.
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    /// A log position or stream version: a non-negative 64-bit integer.
    static let position: JSONValue = ["type": "integer", "minimum": 0]
    /// Any JSON object (event data, free-form records).
    static let anyObject: JSONValue = ["type": "object"]

    static func string(enum values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map(JSONValue.string))]
    }

    static func array(of items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    static func nullable(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }

    /// An object with these properties, of which `required` must be present. Unknown members are
    /// refused when `closed` (commands decode strictly); answers leave it open for later additions.
    static func object(_ properties: [String: JSONValue], required: [String] = [], closed: Bool = false) -> JSONValue {
        var members: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { members["required"] = .array(required.sorted().map(JSONValue.string)) }
        if closed { members["additionalProperties"] = false }
        return .object(members)
    }

    /// A reference to a named schema in the document's `components.schemas`.
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
}
