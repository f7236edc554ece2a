import Foundation

/// Invents the people and companies of the simulation, every one distinct in the eyes of the
/// duplicate index, except the deliberate duplicates.
///
/// The CRM refuses a registration whose normalized e-mail, phone, or name and organisation match an
/// existing customer. So the book remembers every key it ever handed out (leads included, since a
/// lead becomes a customer when converted) and invents again on a clash; a deliberate duplicate
/// shares exactly one key with its original, spelt the way real duplicates are (another case or a
/// `+tag` in the e-mail, `0049` for `+49`, a trailing full stop in the company name).
struct SimulationPeople {
    /// Contact details as a registration or lead carries them.
    struct Identity {
        var name: String
        var organisation: String?
        var email: String?
        var phone: String?
        var address: String

        var keys: Set<String> { DuplicateIndex.keys(name: name, organisation: organisation, email: email, phone: phone) }
    }

    private var random: SimulationRandom
    private var usedKeys: Set<String> = []
    private var usedCompanies: Set<String> = []

    init(random: SimulationRandom) { self.random = random }

    static let firstNames = [
        "Anna", "Lukas", "Mia", "Leon", "Emma", "Finn", "Hannah", "Paul", "Sofia", "Elias", "Lena", "Noah", "Marie", "Ben",
        "Clara", "Jonas", "Lea", "Felix", "Laura", "Max", "Sarah", "David", "Julia", "Tim", "Nina", "Jan", "Katharina", "Moritz",
        "Lisa", "Erik", "Johanna", "Simon", "Amelie", "Tobias", "Carla", "Fabian", "Ida", "Philipp", "Greta", "Niklas",
        "Aylin", "Emre", "Zeynep", "Can", "Olga", "Piotr", "Agnieszka", "Marco", "Giulia", "Luca", "Ana", "Diego", "Chen",
        "Mei", "Arjun", "Priya", "Fatima", "Omar", "Ingrid", "Sven", "Maja", "Lars", "Helena", "Viktor", "Elif", "Yusuf",
    ]
    static let lastNames = [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter",
        "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
        "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter",
        "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Friedrich",
        "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Ludwig",
        "Yılmaz", "Kaya", "Demir", "Nowak", "Kowalski", "Rossi", "Bianchi", "García", "Fernández", "Wang", "Li", "Nguyen",
        "Petrov", "Ivanova", "Jansen", "de Vries", "Andersson", "Nielsen", "Kumar", "Haddad",
    ]
    static let companyStems = [
        "Nordlicht", "Alpenblick", "Rheinwerk", "Elbtal", "Sonnenhof", "Brückner", "Falkenstein", "Weserland", "Isartal",
        "Kranich", "Eichenhain", "Lindenberg", "Bergmann", "Hansa", "Ostwind", "Silberfeld", "Grünwald", "Steinbach", "Adler",
        "Mühlental", "Seeblick", "Rotbuche", "Tannenhof", "Wiesner", "Kronberg", "Fichtel", "Moosburg", "Auenland", "Bernstein",
        "Blauwal", "Feldmann", "Goldacker", "Hafenkante", "Kiefer", "Lerchen", "Nordstern", "Quellwasser", "Sandberg", "Uhland",
        "Vogelsang", "Wendel", "Zeppelin", "Atlas", "Orion", "Vega", "Helios", "Pioneer", "Summit", "Meridian", "Horizon",
    ]
    static let industries: [(name: String, nouns: [String])] = [
        ("logistics", ["Logistik", "Spedition", "Transport"]),
        ("manufacturing", ["Maschinenbau", "Metallbau", "Fertigung", "Werkzeugbau"]),
        ("retail", ["Handel", "Warenhaus", "Einzelhandel"]),
        ("healthcare", ["Praxisbedarf", "Medizintechnik", "Pflegedienst"]),
        ("it-services", ["IT-Service", "Software", "Systemhaus", "Digital"]),
        ("construction", ["Bau", "Haustechnik", "Ingenieurbau"]),
        ("hospitality", ["Hotels", "Gastronomie", "Catering"]),
        ("finance", ["Finanzberatung", "Versicherungsmakler", "Steuerberatung"]),
        ("energy", ["Energie", "Solartechnik", "Stadtwerke"]),
        ("food", ["Feinkost", "Bäckerei", "Getränke"]),
        ("automotive", ["Autohaus", "Fahrzeugtechnik", "Kfz-Service"]),
        ("education", ["Akademie", "Bildungswerk", "Sprachschule"]),
    ]
    static let legalForms = ["GmbH", "GmbH", "GmbH", "AG", "KG", "GmbH & Co. KG", "e.K.", "UG"]
    static let streets = [
        "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Industriestraße", "Lindenallee", "Am Markt", "Kirchweg",
        "Hafenstraße", "Ringstraße", "Parkstraße", "Mühlenweg", "Berliner Straße", "Goethestraße", "Schillerplatz", "Am Stadtpark",
        "Gewerbering", "Kanalstraße", "Wiesenweg", "Friedrichstraße",
    ]
    /// Cities of each region with their postcode prefix and dialling code.
    static let cities: [String: [(name: String, postcode: String, area: String)]] = [
        "north": [("Hamburg", "20", "40"), ("Bremen", "28", "421"), ("Kiel", "24", "431"), ("Hannover", "30", "511"), ("Lübeck", "23", "451")],
        "south": [("München", "80", "89"), ("Stuttgart", "70", "711"), ("Nürnberg", "90", "911"), ("Augsburg", "86", "821"), ("Freiburg", "79", "761")],
        "west": [("Köln", "50", "221"), ("Düsseldorf", "40", "211"), ("Dortmund", "44", "231"), ("Essen", "45", "201"), ("Bonn", "53", "228")],
    ]
    static let mailDomains = ["mailbox.example", "post.example", "webmail.example", "inbox.example", "netmail.example"]

    /// A private person in `region`. As the names run out, people get middle initials and
    /// numbered mailboxes, as in a city of millions.
    mutating func person(region: String) -> Identity {
        for attempt in 0..<200 {
            let first = random.pick(Self.firstNames)
            let last = random.pick(Self.lastNames)
            var middle = attempt > 5 ? " \(random.pick(Self.firstNames).prefix(1))." : ""
            if attempt > 20 { middle += " \(random.pick(Self.lastNames).prefix(1))." }
            let name = "\(first)\(middle) \(last)"
            let place = city(region)
            let number = attempt > 20 ? "\(random.int(100...99_999))" : random.chance(0.35) ? "\(random.int(1...99))" : ""
            let local = Self.slug(first) + random.pick([".", "_", ""]) + Self.slug(last) + number
            let email = random.chance(0.92) ? "\(local)@\(random.pick(Self.mailDomains))" : nil
            let phone = email == nil || random.chance(0.7) ? mobilePhone() : nil
            let identity = Identity(name: name, organisation: nil, email: email, phone: phone, address: address(place))
            if claim(identity) { return identity }
        }
        preconditionFailure("the name space is exhausted")
    }

    /// A company in `region` with its contact person, and the company's industry. As the
    /// names run out, companies are told apart by their town and then by a number, as real ones are.
    mutating func organisation(region: String) -> (identity: Identity, industry: String) {
        for attempt in 0..<200 {
            let industry = random.pick(Self.industries)
            var stem = random.chance(0.4) ? random.pick(Self.lastNames) : random.pick(Self.companyStems)
            if attempt > 20 { stem += " " + city(region).name }
            if attempt > 40 { stem += " \(random.int(2...9_999))" }
            let noun = random.pick(industry.nouns)
            let company = "\(stem) \(noun) \(random.pick(Self.legalForms))"
            guard !usedCompanies.contains(company.lowercased()) else { continue }
            let first = random.pick(Self.firstNames)
            let last = random.pick(Self.lastNames)
            let domain = "\(Self.slug(stem))-\(Self.slug(noun)).example"
            let place = city(region)
            let email = random.chance(0.95) ? "\(Self.slug(first)).\(Self.slug(last))@\(domain)" : nil
            let identity = Identity(name: "\(first) \(last)", organisation: company, email: email,
                                    phone: email == nil || random.chance(0.85) ? landline(place) : nil,
                                    address: address(place))
            if claim(identity) {
                usedCompanies.insert(company.lowercased())
                return (identity, industry.name)
            }
        }
        preconditionFailure("the company name space is exhausted")
    }

    /// A second registration of `original` that the duplicate index will match on exactly one key,
    /// and why a person would recognise it as the same customer.
    mutating func duplicate(of original: Identity) -> (identity: Identity, matchedOn: String)? {
        for _ in 0..<20 {
            var copy = original
            let matched: String
            switch (random.int(0...2), original.email, original.phone, original.organisation) {
            case (0, let email?, _, _):
                // The same mailbox, typed differently; a new phone number or none.
                let local = email.prefix { $0 != "@" }, domain = email.drop { $0 != "@" }
                copy.email = random.chance(0.5) ? email.prefix(1).uppercased() + email.dropFirst() : local + "+shop" + domain
                copy.name = Self.misspell(original.name, &random)
                copy.phone = random.chance(0.5) ? mobilePhone() : nil
                matched = "email"
            case (1, _, let phone?, _) where phone.hasPrefix("+"):
                // The same number in the national-international format; another e-mail address.
                copy.phone = "00" + phone.dropFirst()
                copy.name = Self.misspell(original.name, &random)
                copy.email = original.email.map { "\(Self.slug(String($0.prefix { $0 != "@" })))\(random.int(2...9))@\(random.pick(Self.mailDomains))" }
                matched = "phone"
            case (2, _, _, let organisation?):
                // The same person at the same company, written with a full stop; another mailbox.
                copy.organisation = organisation + "."
                copy.email = "info\(random.int(1...99))@\(Self.slug(String(organisation.prefix { $0 != " " }))).example"
                copy.phone = nil
                matched = "name"
            default:
                continue
            }
            // Only the intended key may be shared.
            let shared = copy.keys.intersection(original.keys)
            guard shared.count == 1, shared.allSatisfy({ $0.hasPrefix(matched + ":") }) else { continue }
            let fresh = copy.keys.subtracting(shared)
            guard fresh.isDisjoint(with: usedKeys) else { continue }
            usedKeys.formUnion(fresh)
            return (copy, matched)
        }
        return nil
    }

    /// A contact person at a company (not part of the duplicate index).
    mutating func contact(at email: String?) -> (name: String, email: String?, phone: String?) {
        let first = random.pick(Self.firstNames)
        let last = random.pick(Self.lastNames)
        let domain = email.flatMap { $0.split(separator: "@").last.map(String.init) } ?? random.pick(Self.mailDomains)
        return ("\(first) \(last)", "\(Self.slug(first)).\(Self.slug(last))@\(domain)", random.chance(0.6) ? mobilePhone() : nil)
    }

    /// A new address in the same region (customers move, companies relocate).
    mutating func newAddress(region: String) -> String { address(city(region)) }

    /// A new e-mail address for `name` that no one else uses.
    mutating func newEmail(for name: String, organisation: String?) -> String? {
        for _ in 0..<20 {
            let parts = name.split(separator: " ")
            let local = Self.slug(String(parts.first ?? "x")) + "." + Self.slug(String(parts.last ?? "y")) + "\(random.int(1...999))"
            let domain = organisation.map { Self.slug(String($0.split(separator: " ")[0])) + "-online.example" } ?? random.pick(Self.mailDomains)
            let email = "\(local)@\(domain)"
            let keys = DuplicateIndex.keys(name: nil, organisation: nil, email: email, phone: nil)
            if keys.isDisjoint(with: usedKeys) {
                usedKeys.formUnion(keys)
                return email
            }
        }
        return nil
    }

    // MARK: Pieces

    private mutating func city(_ region: String) -> (name: String, postcode: String, area: String) {
        random.pick(Self.cities[region] ?? Self.cities["north"]!)
    }

    private mutating func address(_ place: (name: String, postcode: String, area: String)) -> String {
        "\(random.pick(Self.streets)) \(random.int(1...180)), \(place.postcode)\(random.int(100...999)) \(place.name)"
    }

    private mutating func landline(_ place: (name: String, postcode: String, area: String)) -> String {
        let digits = 10 - place.area.count
        var number = "\(random.int(2...9))"
        for _ in 1..<digits { number += "\(random.int(0...9))" }
        return "+49 \(place.area) \(number)"
    }

    private mutating func mobilePhone() -> String {
        var number = ""
        for _ in 0..<8 { number += "\(random.int(0...9))" }
        return "+49 \(random.pick(["151", "160", "170", "171", "176", "157"])) \(number)"
    }

    /// Claims all keys of a new identity, or returns false if any is taken.
    private mutating func claim(_ identity: Identity) -> Bool {
        let keys = identity.keys
        guard keys.isDisjoint(with: usedKeys) else { return false }
        usedKeys.formUnion(keys)
        return true
    }

    /// Lower-case ASCII letters and digits, umlauts transliterated.
    static func slug(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased() {
            switch ch {
            case "ä": out += "ae"
            case "ö": out += "oe"
            case "ü": out += "ue"
            case "ß": out += "ss"
            case "ı": out += "i"
            case "é", "è": out += "e"
            case "á": out += "a"
            default: if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) }
            }
        }
        return out.isEmpty ? "x" : out
    }

    /// The name as someone else typed it: one letter doubled or dropped, or the parts swapped.
    static func misspell(_ name: String, _ random: inout SimulationRandom) -> String {
        var letters = Array(name)
        let positions = letters.indices.filter { $0 > 1 && letters[$0].isLetter && letters[$0 - 1].isLetter }
        guard let at = positions.isEmpty ? nil : random.pick(positions) else { return name }
        if random.chance(0.5) { letters.insert(letters[at], at: at) } else { letters.remove(at: at) }
        return String(letters)
    }
}
