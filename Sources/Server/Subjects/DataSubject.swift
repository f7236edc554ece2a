/// How the API names data subjects: `kind:id` (`customer:C0001`, `contact:K7`, `lead:L3`), the
/// names the key ring, `SubjectErased` and access events use.
enum DataSubject {
    /// The kinds a subject id may name in the API.
    static let kinds: Set<String> = ["customer", "contact", "lead", "opportunity"]

    static func customer(_ id: String) -> String { "customer:" + id }
    static func contact(_ id: String) -> String { "contact:" + id }

    /// The names access events may have recorded `requested` under: `kind:id` itself, plus the
    /// bare id for a customer (version 1 access events named the customer by its bare id); a bare
    /// id stands for every kind with that id.
    static func aliases(of requested: String) -> Set<String> {
        let parts = requested.split(separator: ":", maxSplits: 1).map(String.init)
        if parts.count == 2, kinds.contains(parts[0]) {
            return parts[0] == "customer" ? [requested, parts[1]] : [requested]
        }
        return Set([requested] + kinds.map { $0 + ":" + requested })
    }
}
