/// A contact person of a customer, as the 360 view lists it.
public struct CustomerContact: Sendable, Codable, Equatable {
    public var contactId: String
    public var name: String
    public var email: String?
    public var phone: String?
    public var role: String?
}
