extension RoutePermissions {
    /// The access rules of the feed routes.
    static let feed: [String: Requirement] = [:]
}
