/// A contact person of a customer, as the 360 view lists it.
public struct CustomerContact: Sendable, Codable, Equatable {
    public var contactId: String
    public var name: String
    public var email: String?
    public var phone: String?
    public var role: String?

    /// The contact with the erasure marker in place of every personal value it has.
    var erased: CustomerContact {
        CustomerContact(contactId: contactId, name: ErasedSubjects.marker, email: ErasedSubjects.erase(email),
                        phone: ErasedSubjects.erase(phone), role: ErasedSubjects.erase(role))
    }
}
