extension RoutePermissions {
    /// The access rules of the feed routes: the live feed is the raw log, for `feed.read` only.
    static let feed: [String: Requirement] = [
        "GET /v1/feed": .permission(.feedRead),
    ]
}
