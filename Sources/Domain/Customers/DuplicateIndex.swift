import Foundation
import Synchronization

/// Normalized e-mail, phone and name+organisation keys of every live customer, for duplicate
/// detection at registration.
///
/// A registration first `reserve`s its keys: under one lock it collects the customers (registered
/// or mid-registration) that share a key and claims the keys for itself, so two concurrent
/// registrations of the same person cannot both pass unnoticed, without serializing their appends.
public final class DuplicateIndex: Sendable {
    private struct State {
        var owners: [String: Set<String>] = [:]
        var keysOf: [String: Set<String>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The keys a customer with these details is known by, prefixed by the field they come from.
    public static func keys(name: String?, organisation: String?, email: String?, phone: String?) -> Set<String> {
        var keys = Set<String>()
        if let email = normalizedEmail(email) { keys.insert("email:" + email) }
        if let phone = normalizedPhone(phone) { keys.insert("phone:" + phone) }
        if let name = normalizedName(name) {
            keys.insert("name:" + name + "|" + (normalizedName(organisation) ?? ""))
        }
        return keys
    }

    /// The keys of a registration.
    public static func keys(of command: RegisterCustomer) -> Set<String> {
        keys(name: command.name, organisation: command.organisation, email: command.email, phone: command.phone)
    }

    /// The keys of a customer's current profile.
    public static func keys(of customer: Customer) -> Set<String> {
        keys(name: customer.profile["name"], organisation: customer.profile["organisation"],
             email: customer.profile["email"], phone: customer.profile["phone"])
    }

    /// Lower-cased, trimmed; `+tags` in the local part removed.
    static func normalizedEmail(_ email: String?) -> String? {
        guard let email = email.map(Validate.trimmed)?.lowercased(), !email.isEmpty,
              let at = email.firstIndex(of: "@") else { return nil }
        let local = email[..<at]
        let untagged = local.firstIndex(of: "+").map { local[..<$0] } ?? local
        return String(untagged) + String(email[at...])
    }

    /// Digits only, with the international prefix: `+49 (30) 123-45` and `0049 30 12345` agree.
    static func normalizedPhone(_ phone: String?) -> String? {
        guard let phone else { return nil }
        var digits = phone.filter(\.isNumber)
        if digits.hasPrefix("00") { digits.removeFirst(2) }
        return digits.count >= 6 ? digits : nil
    }

    /// Letters and digits only, lower-cased, words joined by single spaces.
    static func normalizedName(_ name: String?) -> String? {
        guard let name else { return nil }
        let words = name.lowercased().split { !$0.isLetter && !$0.isNumber }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    /// Customers sharing a key with `keys` (other than `customerId`), then claims the keys for
    /// `customerId`. Call `release` if the registration is then refused.
    public func reserve(_ keys: Set<String>, for customerId: String) -> [DuplicateMatch] {
        state.withLock { state in
            var fieldsById: [String: Set<String>] = [:]
            for key in keys {
                for owner in state.owners[key, default: []] where owner != customerId {
                    fieldsById[owner, default: []].insert(String(key.prefix { $0 != ":" }))
                }
            }
            for key in keys { state.owners[key, default: []].insert(customerId) }
            state.keysOf[customerId, default: []].formUnion(keys)
            return fieldsById.keys.sorted().map { DuplicateMatch(customerId: $0, fields: fieldsById[$0]!.sorted()) }
        }
    }

    /// Replaces a customer's keys (profile changed) or removes them (`[]`: absorbed, refused).
    public func set(_ keys: Set<String>, for customerId: String) {
        state.withLock { state in
            for key in state.keysOf[customerId, default: []] {
                state.owners[key]?.remove(customerId)
                if state.owners[key]?.isEmpty == true { state.owners[key] = nil }
            }
            state.keysOf[customerId] = keys.isEmpty ? nil : keys
            for key in keys { state.owners[key, default: []].insert(customerId) }
        }
    }

    /// Forgets a reservation whose registration did not go through.
    public func release(_ customerId: String) { set([], for: customerId) }

    /// Keeps the index current from a stored customer event (on start-up and after each command).
    public func apply(_ event: any DomainEvent, current: Customer?) {
        switch event {
        case let e as CustomerRegistered:
            set(Self.keys(name: e.name, organisation: e.organisation, email: e.email, phone: e.phone), for: e.customerId)
        case let e as CustomerProfileChanged:
            guard let current else { return }
            set(Self.keys(of: current), for: e.customerId)
        case let e as CustomerAbsorbed:
            set([], for: e.customerId)
        case let e as SubjectErased where e.subject.hasPrefix("customer:"):
            set([], for: String(e.subject.dropFirst("customer:".count)))
        default:
            break
        }
    }
}
