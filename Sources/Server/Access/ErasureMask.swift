import Domain
import EventStore
import Projections

/// Replaces the personal values of erased subjects in read-model answers with the erasure marker,
/// at the moment of answering.
///
/// The read models scrub an erased subject when they apply `SubjectErased`; until then (a
/// projector lagging behind the erasure, an as-of snapshot cached before it, a read model of an
/// older version being rebuilt) they may still hold the values. The key ring's tombstones are the
/// truth, so every answer that carries personal values is checked against them before it leaves:
/// once `POST /v1/subjects/{id}/erase` has answered, nobody, admins included, reads the values.
///
/// One key-ring read (an LMDB snapshot, no write) per distinct subject in the answer.
struct ErasureMask: Sendable {
    let keyRing: SubjectKeyRing

    private static let marker = PersonalDataProtection.erasedMarker

    /// Whether `subject` was erased; a key ring that cannot be read counts as erased (fail
    /// closed: an answer never shows a value the ring might have destroyed).
    private func erased(_ subject: String, _ cache: inout [String: Bool]) -> Bool {
        if let known = cache[subject] { return known }
        let value = (try? keyRing.isErased(subject)) ?? true
        cache[subject] = value
        return value
    }

    private static func mask(_ value: inout String?) {
        if value != nil { value = marker }
    }

    func apply(to customer: inout Customer360) {
        var cache: [String: Bool] = [:]
        let customerErased = erased(DataSubject.customer(customer.customerId), &cache)
        if customerErased {
            customer.name = Self.marker
            Self.mask(&customer.organisation)
            Self.mask(&customer.email)
            Self.mask(&customer.phone)
            Self.mask(&customer.address)
        }
        for index in customer.contacts.indices {
            // A customer's contacts are erased with it (the ring links them to it).
            guard customerErased || erased(DataSubject.contact(customer.contacts[index].contactId), &cache) else { continue }
            customer.contacts[index].name = Self.marker
            Self.mask(&customer.contacts[index].email)
            Self.mask(&customer.contacts[index].phone)
            Self.mask(&customer.contacts[index].role)
        }
        for index in customer.recentInteractions.indices
        where erased(DataSubject.customer(customer.recentInteractions[index].customerId), &cache) {
            Self.mask(&customer.recentInteractions[index].subject)
        }
        for index in customer.openCases.indices where erased(DataSubject.customer(customer.openCases[index].customerId), &cache) {
            customer.openCases[index].subject = Self.marker
        }
    }

    func apply(to items: inout [CustomerList.Item]) {
        var cache: [String: Bool] = [:]
        for index in items.indices where erased(DataSubject.customer(items[index].customerId), &cache) {
            items[index].name = Self.marker
        }
    }

    func apply(to cases: inout [ServiceQueue.Item]) {
        var cache: [String: Bool] = [:]
        for index in cases.indices where erased(DataSubject.customer(cases[index].item.customerId), &cache) {
            cases[index].item.subject = Self.marker
        }
    }

    func apply(to tasks: inout [FollowUpTask]) {
        var cache: [String: Bool] = [:]
        for index in tasks.indices where erased(DataSubject.customer(tasks[index].customerId), &cache) {
            tasks[index].title = Self.marker
        }
    }
}
