extension APIOperations {
    /// The operations routes.
    static let operations: [APIOperation] = []
    /// The schemas the operations routes refer to.
    static let operationSchemas: [String: JSONValue] = [:]
}
