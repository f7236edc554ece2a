import Foundation

/// What the company simulator generates: how many customers over how many years, from which seed,
/// and the company around them (teams, staff, channels, seasonality).
///
/// Every field has a default, so a settings file may name only what it changes; the command line's
/// `--customers`, `--years` and `--seed` override the file. The same settings always produce the
/// same command file, byte for byte.
public struct SimulationSettings: Codable, Sendable, Equatable {
    /// Customers the company gains over the whole period, the opening base included (duplicate
    /// registrations come on top).
    public var customers: Int
    /// Length of the simulated period, from `startDate`.
    public var years: Int
    /// Everything random in the run follows from it; the same seed gives the same file.
    public var seed: UInt64
    /// First simulated day, `YYYY-MM-DD` (UTC).
    public var startDate: String
    /// The currency of every amount.
    public var currency: String
    /// Share of `customers` already with the company when the CRM goes live; they are migrated from
    /// the old system in the first weeks.
    public var openingBaseShare: Double
    /// Share of registrations that duplicate an existing customer (another spelling, the shop
    /// registering a known person); each is merged later.
    public var duplicateRate: Double
    /// Growth of new business per year (0.12: each year 12 % more leads than the one before).
    public var yearlyGrowth: Double
    /// Multipliers of business volume by month, January first (a Q4 peak, a summer dip).
    public var seasonality: [Double]
    /// Scales the day-to-day activity per customer (interactions, cases, up-sell); 1 is the
    /// company's normal rhythm.
    public var activity: Double
    /// Share of invoices paid after their due date.
    public var latePaymentShare: Double
    /// The sales teams, each with its region, office subnet and customer managers.
    public var teams: [Team]
    /// Service desk agents (role `agent`).
    public var agents: [String]
    /// The administrator (role `admin`) who sets up processes and migrates the opening base.
    public var admin: String
    /// The marketing lead (role `manager`) who plans and closes campaigns.
    public var marketing: String
    /// Where leads come from and how well each channel converts.
    public var leadChannels: [LeadChannel]

    /// A sales team: a region, the office network its people work from, its customer managers.
    public struct Team: Codable, Sendable, Equatable {
        /// What the company calls the team, e.g. `Team North`.
        public var name: String
        /// The `region` customers of this team are classified with; `north`, `south` and `west`
        /// have their own cities in addresses, other regions borrow the north's.
        public var region: String
        /// The first two octets of the office network, e.g. `10.21` (clients get `10.21.x.y`).
        public var subnet: String
        /// Customer manager ids (role `manager`), also used as owner and manager ids in commands.
        public var managers: [String]

        /// A team with these people in this region.
        public init(name: String, region: String, subnet: String, managers: [String]) {
            self.name = name
            self.region = region
            self.subnet = subnet
            self.managers = managers
        }
    }

    /// One lead source: its share of the lead volume, how many of its leads qualify, and how much
    /// likelier than average its deals are to be won.
    public struct LeadChannel: Codable, Sendable, Equatable {
        /// The lead source recorded on `CaptureLead`.
        public var source: LeadSource
        /// Relative weight among the channels (they need not sum to 1).
        public var share: Double
        /// Share of this channel's leads a manager qualifies (0.01–1); the rest are disqualified.
        public var qualifyRate: Double
        /// Multiplies the chance to win the new-business deal a converted lead brings.
        public var winFactor: Double

        /// A channel with these rates.
        public init(source: LeadSource, share: Double, qualifyRate: Double, winFactor: Double) {
            self.source = source
            self.share = share
            self.qualifyRate = qualifyRate
            self.winFactor = winFactor
        }
    }

    /// Settings for `customers` over `years` from `seed`, the company's defaults for the rest.
    public init(customers: Int, years: Int, seed: UInt64, startDate: String = Defaults.startDate, currency: String = "EUR",
                openingBaseShare: Double = 0.25, duplicateRate: Double = 0.04, yearlyGrowth: Double = 0.12,
                seasonality: [Double] = Defaults.seasonality, activity: Double = 1, latePaymentShare: Double = 0.18,
                teams: [Team] = Defaults.teams, agents: [String] = Defaults.agents, admin: String = Defaults.admin,
                marketing: String = Defaults.marketing, leadChannels: [LeadChannel] = Defaults.leadChannels) {
        self.customers = customers
        self.years = years
        self.seed = seed
        self.startDate = startDate
        self.currency = currency
        self.openingBaseShare = openingBaseShare
        self.duplicateRate = duplicateRate
        self.yearlyGrowth = yearlyGrowth
        self.seasonality = seasonality
        self.activity = activity
        self.latePaymentShare = latePaymentShare
        self.teams = teams
        self.agents = agents
        self.admin = admin
        self.marketing = marketing
        self.leadChannels = leadChannels
    }

    /// The company of the design documents: three regional teams of four customer managers, a
    /// service desk of six, and the usual lead channels.
    public enum Defaults {
        /// A Monday, so the first week is a whole one.
        public static let startDate = "2023-01-02"
        /// A summer dip and a fourth-quarter peak.
        public static let seasonality: [Double] = [0.9, 0.95, 1.05, 1.0, 1.0, 0.9, 0.75, 0.7, 1.05, 1.15, 1.25, 1.1]
        /// North, south and west, four customer managers each.
        public static let teams: [Team] = [
            Team(name: "Team North", region: "north", subnet: "10.21",
                 managers: ["anna.keller", "jonas.petersen", "lea.hansen", "tobias.brandt"]),
            Team(name: "Team South", region: "south", subnet: "10.22",
                 managers: ["sophie.huber", "maximilian.bauer", "laura.maier", "felix.gruber"]),
            Team(name: "Team West", region: "west", subnet: "10.23",
                 managers: ["julia.schmitz", "david.richter", "nina.wolff", "lukas.hoffmann"]),
        ]
        /// The service desk.
        public static let agents = ["mehmet.yilmaz", "sara.nowak", "kai.jansen", "paula.rossi", "emil.fischer", "alina.kowalski"]
        /// The administrator.
        public static let admin = "admin.schulz"
        /// The marketing lead.
        public static let marketing = "claudia.lange"
        /// Web forms bring most leads, referrals the best ones, bought lists the worst.
        public static let leadChannels: [LeadChannel] = [
            LeadChannel(source: .webForm, share: 0.38, qualifyRate: 0.35, winFactor: 0.9),
            LeadChannel(source: .campaign, share: 0.18, qualifyRate: 0.40, winFactor: 1.0),
            LeadChannel(source: .event, share: 0.14, qualifyRate: 0.50, winFactor: 1.1),
            LeadChannel(source: .referral, share: 0.10, qualifyRate: 0.70, winFactor: 1.5),
            LeadChannel(source: .directMail, share: 0.08, qualifyRate: 0.25, winFactor: 0.8),
            LeadChannel(source: .importFile, share: 0.12, qualifyRate: 0.15, winFactor: 0.7),
        ]
    }

    enum CodingKeys: String, CodingKey {
        case customers, years, seed, startDate, currency, openingBaseShare, duplicateRate, yearlyGrowth, seasonality, activity
        case latePaymentShare, teams, agents, admin, marketing, leadChannels
    }

    /// Decodes a settings file; every missing field takes its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(customers: try c.decodeIfPresent(Int.self, forKey: .customers) ?? 300,
                  years: try c.decodeIfPresent(Int.self, forKey: .years) ?? 3,
                  seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1,
                  startDate: try c.decodeIfPresent(String.self, forKey: .startDate) ?? Defaults.startDate,
                  currency: try c.decodeIfPresent(String.self, forKey: .currency) ?? "EUR",
                  openingBaseShare: try c.decodeIfPresent(Double.self, forKey: .openingBaseShare) ?? 0.25,
                  duplicateRate: try c.decodeIfPresent(Double.self, forKey: .duplicateRate) ?? 0.04,
                  yearlyGrowth: try c.decodeIfPresent(Double.self, forKey: .yearlyGrowth) ?? 0.12,
                  seasonality: try c.decodeIfPresent([Double].self, forKey: .seasonality) ?? Defaults.seasonality,
                  activity: try c.decodeIfPresent(Double.self, forKey: .activity) ?? 1,
                  latePaymentShare: try c.decodeIfPresent(Double.self, forKey: .latePaymentShare) ?? 0.18,
                  teams: try c.decodeIfPresent([Team].self, forKey: .teams) ?? Defaults.teams,
                  agents: try c.decodeIfPresent([String].self, forKey: .agents) ?? Defaults.agents,
                  admin: try c.decodeIfPresent(String.self, forKey: .admin) ?? Defaults.admin,
                  marketing: try c.decodeIfPresent(String.self, forKey: .marketing) ?? Defaults.marketing,
                  leadChannels: try c.decodeIfPresent([LeadChannel].self, forKey: .leadChannels) ?? Defaults.leadChannels)
    }

    /// The settings' problems, each naming its field; empty when the simulator can run them.
    public var problems: [String] {
        var problems: [String] = []
        if customers < 1 || customers > 2_000_000 { problems.append("customers must be between 1 and 2000000") }
        if years < 1 || years > 30 { problems.append("years must be between 1 and 30") }
        if SimulationClock.parseDay(startDate) == nil { problems.append("startDate must be YYYY-MM-DD") }
        if !Money.isCurrencyCode(currency) { problems.append("currency must be an ISO 4217 code") }
        for (name, value) in [("openingBaseShare", openingBaseShare), ("duplicateRate", duplicateRate), ("latePaymentShare", latePaymentShare)]
        where !(0...0.9).contains(value) {
            problems.append("\(name) must be between 0 and 0.9")
        }
        if !(-0.5...2).contains(yearlyGrowth) { problems.append("yearlyGrowth must be between -0.5 and 2") }
        if !(0.05...20).contains(activity) { problems.append("activity must be between 0.05 and 20") }
        if seasonality.count != 12 || seasonality.contains(where: { !(0.01...10).contains($0) }) {
            problems.append("seasonality must hold 12 multipliers between 0.01 and 10")
        }
        if teams.isEmpty || teams.contains(where: \.managers.isEmpty) { problems.append("teams must be non-empty, each with managers") }
        if agents.isEmpty { problems.append("agents must not be empty") }
        if leadChannels.isEmpty || leadChannels.contains(where: { $0.share < 0 || !(0.01...1).contains($0.qualifyRate) || $0.winFactor <= 0 }) {
            problems.append("leadChannels must be non-empty, with shares ≥ 0, qualifyRate within 0.01–1 and winFactor > 0")
        }
        let ids = teams.flatMap(\.managers) + agents + [admin, marketing]
        if let bad = ids.first(where: { (try? Validate.id($0, "id")) == nil }) { problems.append("'\(bad)' is not a valid staff id") }
        if Set(ids).count != ids.count { problems.append("staff ids must be unique") }
        if Set(teams.map(\.id)).count != teams.count { problems.append("team names must differ (they name the teams' streams)") }
        for team in teams {
            let octets = team.subnet.split(separator: ".")
            if octets.count != 2 || octets.contains(where: { UInt8($0) == nil }) { problems.append("subnet '\(team.subnet)' must be two octets, e.g. 10.21") }
        }
        return problems
    }
}

extension SimulationSettings.Team {
    /// The id the team's stream is named by: its name in lower case with dashes, without a
    /// leading `team-` (`Team North` → `north`).
    var id: String {
        var slug = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
        while slug.contains("--") { slug = slug.replacingOccurrences(of: "--", with: "-") }
        slug = slug.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        if slug.hasPrefix("team-") { slug.removeFirst(5) }
        return slug.isEmpty ? "team" : slug
    }
}
