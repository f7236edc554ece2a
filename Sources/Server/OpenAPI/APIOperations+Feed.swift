extension APIOperations {
    /// The feed routes.
    static let feed: [APIOperation] = []
    /// The schemas the feed routes refer to.
    static let feedSchemas: [String: JSONValue] = [:]
}
