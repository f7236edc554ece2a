extension RoutePermissions {
    /// The access rules of the operations routes (readiness, metrics).
    static let operations: [String: Requirement] = [:]
}
