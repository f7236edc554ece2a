import Foundation

/// The OpenAPI 3.1 document served at `/openapi.json`, assembled from the operations each route
/// group documents beside its routes (`APIOperations`), the access table (`RoutePermissions`,
/// which supplies each operation's security and `x-permission`) and the shared schemas.
enum OpenAPIDocument {
    /// Every documented operation.
    static var operations: [APIOperation] {
        APIOperations.core + APIOperations.commands + APIOperations.queries + APIOperations.feed + APIOperations.operations
            + APIOperations.subjects
    }

    /// Every named schema the operations refer to.
    static var schemas: [String: JSONValue] {
        var all: [String: JSONValue] = ["Problem": problem]
        for part in [APIOperations.coreSchemas, APIOperations.commandSchemas, APIOperations.querySchemas,
                     APIOperations.feedSchemas, APIOperations.operationSchemas, APIOperations.subjectSchemas] {
            all.merge(part) { first, _ in first }
        }
        return all
    }

    /// The document as JSON bytes, built once.
    static let json: [UInt8] = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The value is built from literals in code; it always encodes.
        return Array((try? encoder.encode(build())) ?? Data())
    }()

    static func build() -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method.lowercased()] = document(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "CRM engine API",
                "version": "1.0.0",
                "description": "Commands append events to a tamper-evident log; queries answer from read models that say which log position they reflect (`X-Log-Position`). Errors are `application/problem+json` with a stable `code`.",
            ],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "A token from `crm token create`: `crm_<id>_<secret>`."]],
            ],
        ]
    }

    private static func document(_ operation: APIOperation) -> JSONValue {
        var members: [String: JSONValue] = [
            "summary": .string(operation.summary),
            "tags": [.string(operation.tag)],
            "operationId": .string(operationId(operation)),
        ]
        if let description = operation.description { members["description"] = .string(description) }
        if !operation.parameters.isEmpty {
            members["parameters"] = .array(operation.parameters.map { parameter in
                ["name": .string(parameter.name), "in": .string(parameter.location.rawValue),
                 "description": .string(parameter.description), "required": .bool(parameter.required),
                 "schema": parameter.schema]
            })
        }
        if let body = operation.requestBody {
            members["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
        }
        var responses: [String: JSONValue] = [
            String(operation.successStatus): [
                "description": "Success",
                "content": .object([operation.responseMediaType: ["schema": operation.response]]),
            ],
        ]
        let requirement = RoutePermissions.table[operation.key]
        var errors = Set(operation.errors).union([400, 500])
        if case .permission(let permission) = requirement {
            errors.formUnion([401, 403])
            members["security"] = [["bearer": []]]
            members["x-permission"] = .string(permission.rawValue)
        } else {
            members["security"] = []
        }
        for status in errors.sorted() {
            responses[String(status)] = [
                "description": .string(HTTPStatusText.reason(status)),
                "content": ["application/problem+json": ["schema": Schema.ref("Problem")]],
            ]
        }
        members["responses"] = .object(responses)
        return .object(members)
    }

    /// `get_v1_customers_id`: unique per method and path.
    private static func operationId(_ operation: APIOperation) -> String {
        let path = operation.path.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        return operation.method.lowercased() + path.replacingOccurrences(of: "__", with: "_")
    }

    /// RFC 9457 problem details with the API's stable `code`.
    static let problem = Schema.object([
        "type": Schema.string, "title": Schema.string, "status": Schema.integer, "detail": Schema.string,
        "code": Schema.string, "parameter": Schema.string, "permission": Schema.string,
        "fields": Schema.array(of: Schema.object(["field": Schema.string, "problem": Schema.string])),
    ], required: ["type", "title", "status", "code", "detail"])
}

/// Reason phrases for the error statuses the document lists.
enum HTTPStatusText {
    static func reason(_ status: Int) -> String {
        switch status {
        case 304: "Not modified"
        case 400: "Bad request: malformed JSON, wrong types, unknown fields or invalid parameters"
        case 401: "Authentication required"
        case 403: "Forbidden: the role lacks the permission (`permission`) or the record is outside its scope"
        case 404: "Not found"
        case 409: "Conflict: the stream's version is not the one expected (`If-Match`), or the state of the record or server does not allow the request"
        case 410: "Gone: the record was merged (`customer-merged`) or the data subject erased (`subject-erased`)"
        case 412: "Precondition failed"
        case 413: "Payload too large"
        case 422: "Unprocessable: the command breaks a domain rule"
        case 429: "Too many requests"
        case 503: "Unavailable: the read model does not reflect the position yet, or the server is shutting down"
        case 507: "Insufficient storage"
        default: "Error"
        }
    }
}
