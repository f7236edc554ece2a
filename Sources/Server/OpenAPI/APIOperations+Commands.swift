extension APIOperations {
    /// The commands routes.
    static let commands: [APIOperation] = []
    /// The schemas the commands routes refer to.
    static let commandSchemas: [String: JSONValue] = [:]
}
