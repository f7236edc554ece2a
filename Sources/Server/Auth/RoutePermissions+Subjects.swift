extension RoutePermissions {
    /// The access rules of the data-subject routes (`SubjectRoutes`): erasing destroys keys for
    /// good, so it has a permission of its own that only admins hold; who saw a person's data is
    /// part of the audit trail (`audit.read`: admins and auditors).
    static let subjects: [String: Requirement] = [
        "POST /v1/subjects/{id}/erase": .permission(.subjectsErase),
        "GET /v1/subjects/{id}/access-log": .permission(.auditRead),
    ]
}
