extension RoutePermissions {
    /// The access rules of the commands routes.
    static let commands: [String: Requirement] = [:]
}
