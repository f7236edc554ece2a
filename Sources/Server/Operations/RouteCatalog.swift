/// The API's routes as path patterns with their methods, to tell a wrong method on a known path
/// (405 with `Allow`) from a path that does not exist (404).
///
/// Built from the access table (`RoutePermissions.table`), which names every route the router has
/// (`OpenAPIDocumentTests` checks that).
struct RouteCatalog: Sendable {
    /// Each pattern split into segments (`{name}` matches any one segment) and its methods.
    private let routes: [(segments: [Substring], methods: Set<String>)]

    init(keys: some Sequence<String>) {
        var byPath: [String: Set<String>] = [:]
        for key in keys {
            guard let space = key.firstIndex(of: " ") else { continue }
            byPath[String(key[key.index(after: space)...]), default: []].insert(String(key[..<space]))
        }
        routes = byPath.map { (Self.segments($0.key), $0.value) }
    }

    /// The methods some route with a pattern matching `path` takes, sorted; empty for an unknown path.
    func methods(for path: String) -> [String] {
        let parts = Self.segments(path)
        var methods: Set<String> = []
        for route in routes where route.segments.count == parts.count {
            let matches = zip(route.segments, parts).allSatisfy { pattern, part in
                (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == part
            }
            if matches { methods.formUnion(route.methods) }
        }
        return methods.sorted()
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
