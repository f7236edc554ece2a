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

extension CustomerContact: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: 2 + (email == nil ? 0 : 1) + (phone == nil ? 0 : 1) + (role == nil ? 0 : 1))
        output.appendEntryKey("contactId"); output.appendString(contactId)
        if let email { output.appendEntryKey("email"); output.appendString(email) }
        output.appendEntryKey("name"); output.appendString(name)
        if let phone { output.appendEntryKey("phone"); output.appendString(phone) }
        if let role { output.appendEntryKey("role"); output.appendString(role) }
    }
}
