import Domain
import Projections

/// What personal data one answer carries: the data subjects whose values it holds and the names of
/// the personal fields it holds (paths into the answer: `email`, `contacts.name`,
/// `items.subject`), as `AccessRecorder` records them.
///
/// Personal fields are those `PersonalDataCatalog` declares personal, as the read models carry
/// them. A value that reads as the erasure marker is no personal data and is not counted; an
/// answer with no personal value at all (an empty page, an erased customer) is recorded by nobody.
struct PersonalDataRead: Sendable, Equatable {
    var subjects: Set<String> = []
    var fields: Set<String> = []

    /// Whether the answer carried no personal value.
    var isEmpty: Bool { fields.isEmpty }

    /// Counts `value` as `field` of `subject` when it is a personal value.
    mutating func note(_ value: String?, field: String, subject: String) {
        guard let value, !value.isEmpty, value != PersonalDataProtection.erasedMarker else { return }
        subjects.insert(subject)
        fields.insert(field)
    }

    /// A customer 360: the customer's profile, its contacts (subjects of their own), the subjects
    /// of its recent interactions and open cases.
    init(customer: Customer360) {
        let subject = DataSubject.customer(customer.customerId)
        note(customer.name, field: "name", subject: subject)
        note(customer.organisation, field: "organisation", subject: subject)
        note(customer.email, field: "email", subject: subject)
        note(customer.phone, field: "phone", subject: subject)
        note(customer.address, field: "address", subject: subject)
        for contact in customer.contacts {
            let contactSubject = DataSubject.contact(contact.contactId)
            note(contact.name, field: "contacts.name", subject: contactSubject)
            note(contact.email, field: "contacts.email", subject: contactSubject)
            note(contact.phone, field: "contacts.phone", subject: contactSubject)
            note(contact.role, field: "contacts.role", subject: contactSubject)
        }
        // Interactions and cases of absorbed customers are the absorbed customer's data.
        for interaction in customer.recentInteractions {
            note(interaction.subject, field: "recentInteractions.subject", subject: DataSubject.customer(interaction.customerId))
        }
        for item in customer.openCases {
            note(item.subject, field: "openCases.subject", subject: DataSubject.customer(item.customerId))
        }
    }

    /// A page of the customer list: each row's name.
    init(customers: [CustomerList.Item]) {
        for item in customers { note(item.name, field: "items.name", subject: DataSubject.customer(item.customerId)) }
    }

    /// Queued cases: each case's subject line, under `field` (`items.item.subject`,
    /// `breached.item.subject`, …).
    init(cases: [ServiceQueue.Item], field: String) {
        for item in cases { note(item.item.subject, field: field, subject: DataSubject.customer(item.item.customerId)) }
    }

    /// Follow-up tasks: each task's title, under `field` (`overdue.title`, `due.title`).
    init(tasks: [FollowUpTask], field: String) {
        for task in tasks { note(task.title, field: field, subject: DataSubject.customer(task.customerId)) }
    }

    init(subjects: Set<String> = [], fields: Set<String> = []) {
        self.subjects = subjects
        self.fields = fields
    }

    /// Both reads together.
    func union(_ other: PersonalDataRead) -> PersonalDataRead {
        PersonalDataRead(subjects: subjects.union(other.subjects), fields: fields.union(other.fields))
    }
}
