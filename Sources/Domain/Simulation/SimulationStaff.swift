import EventStore
import Foundation

/// The people and systems that issue the simulated commands, and where each works from.
///
/// Every command carries a realistic actor and source, as the audit trail of a real company would:
/// customer managers on their office workstations (an address in their team's subnet, the browser
/// they use, a host name) or on the mobile app over the team's VPN, service agents on the CTI
/// desktop, the administrator, the marketing lead, and the integrations (web forms, telephony,
/// web shop, ERP, survey service) with their own hosts and user agents.
struct SimulationStaff {
    /// A customer manager, with the team and the two devices they work from.
    struct Manager {
        let index: Int
        let id: String
        let team: Int
        let actor: Actor
        let workstation: String
        let address: String
        let browser: Browser
        let mobileHost: String
    }

    /// A service desk agent.
    struct Agent {
        let id: String
        let actor: Actor
        let address: String
        let host: String
        let usesCTI: Bool
    }

    /// The browsers staff use; versions advance with business time, as browsers update themselves.
    enum Browser {
        case chromeWindows, edgeWindows, firefoxWindows, safariMac, chromeMac

        /// The user agent this browser sent at `ms`.
        func userAgent(at ms: Int64) -> String {
            // Chrome 109 in January 2023, about one major version a month after that.
            let months = (ms - 1_672_531_200_000) / (30 * SimulationClock.day)
            let chrome = 109 + max(0, months * 9 / 10)
            let firefox = 109 + max(0, months * 9 / 10)
            let safari = months < 9 ? "16.3" : months < 21 ? "17.2" : months < 33 ? "18.1" : "18.4"
            switch self {
            case .chromeWindows:
                return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/\(chrome).0.0.0 Safari/537.36"
            case .edgeWindows:
                return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/\(chrome).0.0.0 Safari/537.36 Edg/\(chrome).0.0.0"
            case .firefoxWindows:
                return "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:\(firefox).0) Gecko/20100101 Firefox/\(firefox).0"
            case .safariMac:
                return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/\(safari) Safari/605.1.15"
            case .chromeMac:
                return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/\(chrome).0.0.0 Safari/537.36"
            }
        }
    }

    /// The integrations and scheduled jobs that write to the CRM.
    enum System: CaseIterable {
        case webForms, telephony, shop, erp, surveys, scheduler

        var actor: Actor {
            switch self {
            case .webForms: Actor(id: "svc-webforms", role: "integrator")
            case .telephony: Actor(id: "svc-telephony", role: "integrator")
            case .shop: Actor(id: "svc-webshop", role: "integrator")
            case .erp: Actor(id: "svc-erp", role: "integrator")
            case .surveys: Actor(id: "svc-surveys", role: "integrator")
            case .scheduler: Actor(id: "scheduler", role: "system")
            }
        }

        var source: Source {
            switch self {
            case .webForms: Source(clientAddress: "10.40.0.11", userAgent: "webform-gateway/2.3.1", host: "forms-gw-01")
            case .telephony: Source(clientAddress: "10.40.1.5", userAgent: "cti-connector/5.1.0 (Asterisk 20.4)", host: "pbx-bridge-01")
            case .shop: Source(clientAddress: "10.40.2.21", userAgent: "shop-sync/1.8.4 (Shopware 6.5)", host: "shop-int-01")
            case .erp: Source(clientAddress: "10.40.3.7", userAgent: "erp-connector/3.0.2", host: "erp-int-01")
            case .surveys: Source(clientAddress: "10.40.4.9", userAgent: "survey-service/1.2.0", host: "survey-01")
            case .scheduler: Source(clientAddress: "local", userAgent: "crm-scheduler/1.0", host: "crm-app-01")
            }
        }
    }

    let managers: [Manager]
    /// Manager indices by team.
    let teams: [[Int]]
    let agents: [Agent]
    let admin: Actor
    let marketing: Actor
    let teamSubnets: [String]

    init(_ settings: SimulationSettings) {
        let browsers: [Browser] = [.chromeWindows, .edgeWindows, .chromeWindows, .firefoxWindows, .safariMac, .chromeMac, .edgeWindows]
        var managers: [Manager] = []
        var teams: [[Int]] = []
        for (t, team) in settings.teams.enumerated() {
            var members: [Int] = []
            let short = team.region.prefix(1).lowercased()
            for (m, id) in team.managers.enumerated() {
                let index = managers.count
                managers.append(Manager(
                    index: index, id: id, team: t, actor: Actor(id: id, role: "manager"),
                    workstation: "ws-\(team.region)-\(m + 1 < 10 ? "0" : "")\(m + 1)",
                    address: "\(team.subnet).\(4 + m / 50).\(21 + m % 50 * 3)",
                    browser: browsers[(index * 3 + t) % browsers.count],
                    mobileHost: "mob-\(short)\(m + 1 < 10 ? "0" : "")\(m + 1)"))
                members.append(index)
            }
            teams.append(members)
        }
        self.managers = managers
        self.teams = teams
        teamSubnets = settings.teams.map(\.subnet)
        agents = settings.agents.enumerated().map { i, id in
            Agent(id: id, actor: Actor(id: id, role: "agent"), address: "10.30.1.\(31 + i)",
                  host: "sd-ws-\(i + 1 < 10 ? "0" : "")\(i + 1)", usesCTI: i % 3 != 2)
        }
        admin = Actor(id: settings.admin, role: "admin")
        marketing = Actor(id: settings.marketing, role: "manager")
    }

    /// Where a manager works from at `ms`: usually the office workstation, on the road (`mobile`)
    /// the app over the team's VPN.
    func source(of manager: Manager, at ms: Int64, mobile: Bool, _ random: inout SimulationRandom) -> Source {
        if mobile {
            let version = ms < 1_704_067_200_000 ? "4.2.1" : ms < 1_735_689_600_000 ? "4.6.0" : "5.0.3"
            let os = manager.index % 2 == 0 ? "iOS 17.4; iPhone" : "Android 14; Pixel 8"
            return Source(clientAddress: "\(teamSubnets[manager.team]).200.\(random.int(10...250))",
                          userAgent: "CRM-Mobile/\(version) (\(os))", host: manager.mobileHost)
        }
        return Source(clientAddress: manager.address, userAgent: manager.browser.userAgent(at: ms), host: manager.workstation)
    }

    func source(of agent: Agent, at ms: Int64) -> Source {
        Source(clientAddress: agent.address,
               userAgent: agent.usesCTI ? "CTI-Desktop/7.3.2 (Windows NT 10.0; Win64; x64)" : Browser.chromeWindows.userAgent(at: ms),
               host: agent.host)
    }

    /// The administrator's workstation in the IT subnet.
    func adminSource(at ms: Int64) -> Source {
        Source(clientAddress: "10.10.0.15", userAgent: Browser.firefoxWindows.userAgent(at: ms), host: "it-adm-01")
    }

    /// The administrator's migration tool, run on the application server.
    var migrationSource: Source { Source(clientAddress: "local", userAgent: "crm-import/1.0", host: "crm-app-01") }

    /// The marketing lead's laptop at head office.
    func marketingSource(at ms: Int64) -> Source {
        Source(clientAddress: "\(teamSubnets[0]).9.40", userAgent: Browser.safariMac.userAgent(at: ms), host: "mb-marketing-01")
    }
}
