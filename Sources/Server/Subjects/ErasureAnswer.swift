/// The answer to `POST /v1/subjects/{id}/erase` (200): which subject was erased, every subject
/// whose key was destroyed with it (a customer's contacts, opportunities, originating lead), and
/// where the `SubjectErased` event is (`X-Log-Position` is that position too).
struct ErasureAnswer: Codable, Sendable, Equatable {
    /// The subject as normalised (`customer:C0001`).
    var subject: String
    var erasedSubjects: [String]
    /// The record's stream that holds `SubjectErased`.
    var stream: String
    var position: UInt64
}
