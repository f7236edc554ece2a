import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Projections
@testable import Server
import Testing

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    /// The router, the access table and the document name exactly the same routes: a route added
    /// without documentation or an access rule fails here, and so does a documented route that
    /// no longer exists.
    @Test func documentListsEveryRouteOfTheRouter() async throws {
        try await withStore { store, directory in
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
            let tokens = try testTokens(store)
            let router = buildRouter(store: store, tokens: tokens, projections: engine)
            let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            let documented = OpenAPIDocument.operations.map(\.key)
            #expect(documented.count == Set(documented).count, "an operation is documented twice")
            #expect(routed.subtracting(documented).sorted() == [], "routes without documentation")
            #expect(Set(documented).subtracting(routed).sorted() == [], "documented routes the router does not have")
            #expect(routed.subtracting(RoutePermissions.table.keys).sorted() == [], "routes without an access rule")
            #expect(Set(RoutePermissions.table.keys).subtracting(routed).sorted() == [], "access rules for routes that do not exist")
        }
    }

    /// The served document is valid JSON, OpenAPI 3.1, with a path item for every route, a
    /// permission on every protected operation, and every `$ref` resolving to a named schema.
    @Test func servedDocumentIsConsistent() async throws {
        try await withStore { store, _ in
            try await testAPI(store) { client in
                try await client.execute(uri: "/openapi.json", method: .get, headers: [.authorization: "none"]) { response in
                    #expect(response.status == .ok)
                    let document = try JSONDecoder().decode(JSONValue.self, from: Data(response.body.readableBytesView))
                    #expect(document["openapi"] == "3.1.0")
                    guard case .object(let paths)? = document["paths"] else { Issue.record("no paths"); return }
                    var operations = 0
                    for (path, item) in paths {
                        guard case .object(let methods) = item else { continue }
                        for (method, operation) in methods {
                            operations += 1
                            let key = "\(method.uppercased()) \(path)"
                            if case .permission(let permission)? = RoutePermissions.table[key] {
                                #expect(operation["x-permission"] == .string(permission.rawValue), "\(key)")
                            }
                            #expect(operation["responses"] != nil, "\(key)")
                        }
                    }
                    #expect(operations == OpenAPIDocument.operations.count)
                    guard case .object(let schemas)? = document["components"]?["schemas"] else { Issue.record("no schemas"); return }
                    for reference in Self.references(in: document) {
                        let name = String(reference.dropFirst("#/components/schemas/".count))
                        #expect(schemas[name] != nil, "unresolved \(reference)")
                    }
                }
            }
        }
    }

    static func references(in value: JSONValue) -> [String] {
        switch value {
        case .object(let members):
            var found: [String] = []
            if case .string(let reference)? = members["$ref"] { found.append(reference) }
            for member in members.values { found += references(in: member) }
            return found
        case .array(let items): return items.flatMap(references(in:))
        default: return []
        }
    }
}
