extension RoutePermissions {
    /// The access rules of the command routes, one per row of `CommandRoute.all` (each names the
    /// write permission of its area), and of the integration-stream appends (`streams.append`).
    static let commands: [String: Requirement] = {
        var rules: [String: Requirement] = [
            "POST /v1/streams/{stream}/events": .permission(.streamsAppend),
            "POST /v1/streams/batch": .permission(.streamsAppend),
        ]
        for route in CommandRoute.all {
            rules.merge([route.key: .permission(route.permission)]) { _, _ in preconditionFailure("\(route.key) is listed twice") }
        }
        return rules
    }()
}
