import EventStore
import Foundation

/// Simulates a believable company and writes what its people and systems did as commands.
///
/// The output is a command file (`CommandRecord`s in chronological order of business time), not
/// events: importing it runs every command through the same decisions as live traffic, so the
/// events carry realistic actors and sources and every rule is exercised. Every generated command
/// is valid at its time (the simulator mirrors what the aggregates know), so an import refuses
/// none. The same settings give the same bytes, on every run and every machine.
///
/// Records are streamed as they are decided: the simulation is a discrete-event loop over a
/// time-ordered queue of pending steps, driven day by day, and keeps only live entities in memory,
/// so a million commands need no more memory than a thousand.
public struct CompanySimulator: Sendable {
    /// A simulator; everything a run depends on comes with its settings.
    public init() {}

    /// Runs the simulation and hands each command record to `write`, oldest first.
    ///
    /// - Throws: `SimulationError.invalidSettings` before writing anything when the settings are
    ///   unusable; whatever `write` throws (the run stops there).
    @discardableResult
    public func generate(_ settings: SimulationSettings, write: (CommandRecord) throws -> Void) throws -> SimulationSummary {
        let problems = settings.problems
        guard problems.isEmpty else { throw SimulationError.invalidSettings(problems) }
        return try withoutActuallyEscaping(write) { write in
            let run = SimulationRun(settings: settings, write: write)
            try run.run()
            return run.summary
        }
    }

    /// Runs the simulation and hands each record to `write` as one NDJSON line (with its newline),
    /// encoded by `encodeLine`, so the bytes are stable.
    @discardableResult
    public func generateLines(_ settings: SimulationSettings, write: (Data) throws -> Void) throws -> SimulationSummary {
        try generate(settings) { record in try write(try Self.encodeLine(record)) }
    }

    /// One record as a command-file line: the domain's JSON encoding (sorted keys, millisecond
    /// timestamps) and a newline.
    public static func encodeLine(_ record: CommandRecord) throws -> Data {
        var line = try EventRegistry.encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        return line
    }
}

/// Why the simulator did not run.
public enum SimulationError: Error, Equatable, CustomStringConvertible {
    /// The settings' problems, each naming its field (see `SimulationSettings.problems`).
    case invalidSettings([String])

    /// One line for an operator.
    public var description: String {
        switch self {
        case .invalidSettings(let problems): "invalid simulation settings: \(problems.joined(separator: "; "))"
        }
    }
}

/// What a simulation produced: commands by type and the size of the simulated company.
public struct SimulationSummary: Codable, Sendable, Equatable {
    /// Command records written.
    public var commands = 0
    /// Command records by command type.
    public var commandTypes: [String: Int] = [:]
    /// Customers registered (directly, by migration or by lead conversion), duplicates included.
    public var customers = 0
    /// Deliberate duplicate registrations, and how many of them were merged.
    public var duplicates = 0
    public var merged = 0
    /// Leads captured (on every channel).
    public var leads = 0
    /// Opportunities opened (by lead conversion or directly), and how many were won and lost.
    public var opportunities = 0
    public var won = 0
    public var lost = 0
    /// Orders placed (from quotes and in the shop), invoices issued, service cases opened,
    /// campaigns planned.
    public var orders = 0
    public var invoices = 0
    public var cases = 0
    public var campaigns = 0
    /// Customers deactivated, and reactivations of former customers.
    public var churned = 0
    public var wonBack = 0
    /// Business time of the first and last command.
    public var from: Date?
    public var to: Date?

    /// An empty summary, filled in as the simulation writes.
    public init() {}

    /// One line for the command line.
    public var line: String {
        "\(commands) commands, \(customers) customers (\(duplicates) duplicates, \(merged) merged), \(leads) leads, "
            + "\(opportunities) opportunities (\(won) won, \(lost) lost), \(orders) orders, \(invoices) invoices, \(cases) cases, "
            + "\(campaigns) campaigns, \(churned) churned, \(wonBack) won back"
            + (from.map { " from \(Timestamp.format($0).prefix(10))" } ?? "") + (to.map { " to \(Timestamp.format($0).prefix(10))" } ?? "")
    }
}

/// One pending action of the simulation, run at its business time.
enum SimulationStep {
    case setup, day, weekPlans, weekReports, monthScan, yearReview, rebalance
    case planWeek(Int), weekReport(Int), holidayCover(Int)
    case reviseProcess(Int)
    case migrate(Int)
    case captureLead(Int), reviewLead(Int), convertLead(Int)
    case register(Int), registerDuplicate(Int), onboard(Int), firstDeal(Int), merge(Int)
    case interaction(Int), profileChange(Int), contactChange(Int), consentChange(Int)
    case growthDeal(Int, SalesCycleKind, campaign: Int?)
    case shopOrder(Int), renewal(Int), contractEnd(Int), winBack(Int, campaign: Int?), deactivate(Int, String), untag(Int, String)
    case attributeLead(Int, customer: Int, deal: Int)
    case dealWork(Int), reopenDeal(Int), placeOrder(Int)
    case fulfil(Int), cancelOrder(Int)
    case payment(Int, Int64), overdueCheck(Int), reminder(Int), writeOff(Int)
    case openCase(Int), caseStep(Int, CaseStep)
    case answerSurvey(surveyId: String, customer: Int, csat: Int, nps: Int)
    case planCampaigns(year: Int, quarter: Int), launchCampaign(Int), campaignResponse(Int, customer: Int), closeCampaign(Int)
    case assignTask(Int, WorkTaskKind), completeTask(Int), taskOverdueCheck(Int), cancelTask(Int)
    case revisePlan(manager: Int, planId: String, visits: Int, calls: Int, customers: Int)

    enum CaseStep { case assign, respond, waiting, customerReply, escalate, resolve, close, reopen, survey }
}

/// A min-heap of steps by (time, insertion order): ties run first-in, first-out, so the order of
/// the output never depends on anything but the simulation.
struct SimulationQueue {
    private var heap: [(at: Int64, seq: Int, step: SimulationStep)] = []
    private var sequence = 0

    var isEmpty: Bool { heap.isEmpty }

    mutating func push(_ at: Int64, _ step: SimulationStep) {
        sequence += 1
        heap.append((at, sequence, step))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (at: Int64, step: SimulationStep)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, less(left, smallest) { smallest = left }
            if right < heap.count, less(right, smallest) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.at, top.step)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].at != heap[b].at ? heap[a].at < heap[b].at : heap[a].seq < heap[b].seq
    }
}

/// Who issues a command: resolved to an actor and a source at the command's time.
enum SimulationIssuer {
    case manager(Int, mobile: Bool = false)
    case agent(Int)
    case admin, migration, marketing
    case system(SimulationStaff.System)
}

/// One run of the simulation: the mirror state, the queue, and the writer.
final class SimulationRun {
    let settings: SimulationSettings
    let staff: SimulationStaff
    let write: (CommandRecord) throws -> Void
    var random: SimulationRandom
    var people: SimulationPeople
    private var commandIds: SplitMix64
    var queue = SimulationQueue()
    var summary = SimulationSummary()
    /// Business time of the step being run (milliseconds since the epoch).
    var now: Int64
    let start: Int64
    let end: Int64
    let currency: String

    var customers: [SimCustomer] = []
    var pools: [CustomerPool] = Array(repeating: CustomerPool(), count: SimulationSegment.all.count)
    /// Deactivated customers, in the order they left (win-back candidates).
    var inactive: [Int] = []
    var leads: [SimLead?] = []
    var opportunities: [SimOpportunity?] = []
    var quotes: [SimQuote] = []
    var orders: [SimOrder?] = []
    var invoices: [SimInvoice?] = []
    var cases: [SimCase?] = []
    var campaigns: [SimCampaign] = []
    var tasks: [SimTask?] = []
    /// Open tasks per manager.
    var managerTasks: [[Int]]
    /// Customers per manager, for giving new accounts to whoever has the fewest.
    var managerLoad: [Int]
    /// Current version and stages of each sales process.
    var processVersions: [Int]
    var processStages: [[SalesStage]]
    /// Campaigns live today (for campaign-sourced leads).
    var liveCampaigns: [Int] = []
    var counters: [String: Int] = [:]

    /// Expected new-business leads and direct registrations per unit of daily weight.
    var leadRates: [Double] = []
    var directRate = 0.0
    var duplicateRate = 0.0

    init(settings: SimulationSettings, write: @escaping (CommandRecord) throws -> Void) {
        self.settings = settings
        self.write = write
        staff = SimulationStaff(settings)
        var root = SimulationRandom(seed: settings.seed)
        people = SimulationPeople(random: root.fork(1))
        random = root.fork(2)
        commandIds = SplitMix64(state: settings.seed ^ 0x5EED_C0DE_0000_0001)
        start = SimulationClock.parseDay(settings.startDate)!
        let (y, m, d) = SimulationClock.civil(start)
        end = Timestamp.daysFromCivil(year: Int64(y + settings.years), month: Int64(m), day: Int64(d)) * SimulationClock.day
        now = start
        currency = settings.currency
        managerLoad = Array(repeating: 0, count: staff.managers.count)
        managerTasks = Array(repeating: [], count: staff.managers.count)
        processVersions = SimulationCatalog.processes.map { _ in 1 }
        processStages = SimulationCatalog.processes.map(\.stages)
    }

    // MARK: Loop

    func run() throws {
        planVolumes()
        schedule(start + 6 * SimulationClock.hour + 5 * SimulationClock.minute, .setup)
        schedule(start, .day)
        while let (at, step) = queue.pop() {
            guard at < end else { continue }
            now = at
            try perform(step)
        }
    }

    /// Queues `step` at `at`; steps at or after the end of the simulation are dropped.
    func schedule(_ at: Int64, _ step: SimulationStep) {
        guard at < end else { return }
        queue.push(max(at, now), step)
    }

    func perform(_ step: SimulationStep) throws {
        switch step {
        case .setup: try setup()
        case .day: try day()
        case .weekPlans: try weekPlans()
        case .weekReports: try weekReports()
        case .planWeek(let m): try planWeek(m)
        case .weekReport(let m): try weekReport(m)
        case .holidayCover(let m): try holidayCover(m)
        case .monthScan: try monthScan()
        case .yearReview: try yearReview()
        case .rebalance: try rebalance()
        case .reviseProcess(let p): try reviseProcess(p)
        case .migrate(let c): try migrate(c)
        case .captureLead(let l): try captureLead(l)
        case .reviewLead(let l): try reviewLead(l)
        case .convertLead(let l): try convertLead(l)
        case .register(let c): try register(c)
        case .registerDuplicate(let c): try registerDuplicate(c)
        case .onboard(let c): try onboard(c)
        case .firstDeal(let c): try firstDeal(c)
        case .merge(let c): try merge(c)
        case .interaction(let c): try routineInteraction(c)
        case .profileChange(let c): try profileChange(c)
        case .contactChange(let c): try contactChange(c)
        case .consentChange(let c): try consentChange(c)
        case .growthDeal(let c, let kind, let campaign): try growthDeal(c, kind, campaign: campaign)
        case .shopOrder(let c): try shopOrder(c)
        case .renewal(let c): try renewal(c)
        case .contractEnd(let c): try contractEnd(c)
        case .winBack(let c, let campaign): try winBack(c, campaign: campaign)
        case .deactivate(let c, let reason): try deactivate(c, reason: reason)
        case .untag(let c, let tag): try untag(c, tag)
        case .attributeLead(let k, let c, let o): try attributeLead(k, customer: c, deal: o)
        case .dealWork(let o): try dealWork(o)
        case .reopenDeal(let o): try reopenDeal(o)
        case .placeOrder(let o): try placeOrder(o)
        case .fulfil(let o): try fulfil(o)
        case .cancelOrder(let o): try cancelOrder(o)
        case .payment(let i, let amount): try payment(i, amount)
        case .overdueCheck(let i): try overdueCheck(i)
        case .reminder(let i): try reminder(i)
        case .writeOff(let i): try writeOff(i)
        case .openCase(let c): try openCase(c)
        case .caseStep(let k, let s): try caseStep(k, s)
        case .answerSurvey(let id, let c, let csat, let nps): try answerSurvey(id, customer: c, csat: csat, nps: nps)
        case .planCampaigns(let year, let quarter): try planCampaigns(year: year, quarter: quarter)
        case .launchCampaign(let k): try launchCampaign(k)
        case .campaignResponse(let k, let c): try campaignResponse(k, customer: c)
        case .closeCampaign(let k): try closeCampaign(k)
        case .assignTask(let c, let kind): try assignTask(c, kind)
        case .completeTask(let t): try completeTask(t)
        case .taskOverdueCheck(let t): try taskOverdueCheck(t)
        case .cancelTask(let t): try cancelTask(t, reason: "no longer relevant")
        case .revisePlan(let m, let plan, let visits, let calls, let reach): try revisePlan(m, plan, visits: visits, calls: calls, customers: reach)
        }
    }

    // MARK: Writing

    /// Writes one command record at the current business time.
    func emit(_ command: AnyCommand, by issuer: SimulationIssuer, reason: String? = nil) throws {
        let (actor, source) = identify(issuer)
        let record = CommandRecord(id: nextCommandId(), at: SimulationClock.date(now), actor: actor, source: source,
                                   reason: reason, command: command)
        summary.commands += 1
        summary.commandTypes[command.type, default: 0] += 1
        if summary.from == nil { summary.from = record.at }
        summary.to = record.at
        try write(record)
    }

    func emit(_ command: any DomainCommand, by issuer: SimulationIssuer, reason: String? = nil) throws {
        try emit(.single(command), by: issuer, reason: reason)
    }

    func identify(_ issuer: SimulationIssuer) -> (Actor, Source) {
        switch issuer {
        case .manager(let m, let mobile):
            let manager = staff.managers[m]
            return (manager.actor, staff.source(of: manager, at: now, mobile: mobile, &random))
        case .agent(let a):
            let agent = staff.agents[a]
            return (agent.actor, staff.source(of: agent, at: now))
        case .admin: return (staff.admin, staff.adminSource(at: now))
        case .migration: return (staff.admin, staff.migrationSource)
        case .marketing: return (staff.marketing, staff.marketingSource(at: now))
        case .system(let system): return (system.actor, system.source)
        }
    }

    /// A random-looking, seed-determined version-4 UUID.
    private func nextCommandId() -> UUID {
        let a = commandIds.next(), b = commandIds.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (56 - 8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (56 - 8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The next id of a kind: `C000042`, `INV-000042`…
    func nextId(_ prefix: String, width: Int = 6) -> String {
        let n = (counters[prefix] ?? 0) + 1
        counters[prefix] = n
        let digits = String(n)
        return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: Time and volume

    func money(_ minor: Int64) -> Money { Money(unchecked: minor, currency) }

    /// The next office moment at or after `ms`.
    func office(_ ms: Int64) -> Int64 { SimulationClock.nextOfficeTime(ms, &random) }

    /// The next service-desk moment at or after `ms`.
    func service(_ ms: Int64) -> Int64 { SimulationClock.nextServiceTime(ms, &random) }

    /// A delay of about `days` days (log-normal), in milliseconds.
    func days(_ median: Double, spread: Double = 0.6) -> Int64 {
        Int64(random.logNormal(median: median, sigma: spread) * Double(SimulationClock.day))
    }

    func minutes(_ median: Double, spread: Double = 0.6) -> Int64 {
        Int64(random.logNormal(median: median, sigma: spread) * Double(SimulationClock.minute))
    }

    /// Seasonality of `ms`, normalized to an average of 1 over the year.
    func season(_ ms: Int64) -> Double {
        let mean = settings.seasonality.reduce(0, +) / 12
        return settings.seasonality[SimulationClock.month(ms) - 1] / mean
    }

    /// Business growth since the start: (1 + yearlyGrowth)^years elapsed.
    func growth(_ ms: Int64) -> Double {
        let years = Double(ms - start) / (365.25 * Double(SimulationClock.day))
        return DeterministicMath.exp(DeterministicMath.log(1 + settings.yearlyGrowth) * years)
    }

    /// Weekday multipliers (Monday first), each averaging 1 over a week (summing to 7).
    static let officeWeek: [Double] = [1.46, 1.46, 1.4, 1.35, 1.18, 0.1, 0.05]
    static let onlineWeek: [Double] = [1.05, 1.05, 1.0, 1.0, 0.95, 0.9, 1.05]
    static let serviceWeek: [Double] = [1.45, 1.35, 1.3, 1.3, 1.2, 0.3, 0.1]

    /// Sets the expected number of leads and registrations per day so that the period ends with
    /// about `settings.customers` customers.
    func planVolumes() {
        var weightSum = 0.0
        var day = start
        while day < end {
            weightSum += season(day) * growth(day) * Self.officeWeek[SimulationClock.weekday(day)]
            day += SimulationClock.day
        }
        let opening = Double(openingBaseCount)
        let newCustomers = max(0, Double(settings.customers) - opening)
        let fromLeads = newCustomers * 0.62
        let converted = 0.88  // qualified leads that get converted
        let channels = settings.leadChannels
        let shareSum = max(channels.reduce(0) { $0 + $1.share }, 0.0001)
        let perLead = channels.reduce(0) { $0 + $1.share / shareSum * $1.qualifyRate } * converted
        let totalLeads = fromLeads / max(perLead, 0.01)
        leadRates = channels.map { totalLeads * $0.share / shareSum / weightSum }
        directRate = newCustomers * 0.38 / weightSum
        duplicateRate = (newCustomers + opening) * settings.duplicateRate / weightSum
    }

    var openingBaseCount: Int { Int((Double(settings.customers) * settings.openingBaseShare).rounded()) }

    // MARK: Shared helpers

    /// The team manager with the fewest accounts.
    func leastLoadedManager(team: Int) -> Int {
        var best = staff.teams[team][0]
        for m in staff.teams[team] where managerLoad[m] < managerLoad[best] { best = m }
        return best
    }

    func addToPool(_ customer: SimCustomer) {
        guard customer.isActive, !customer.isAbsorbed, customer.duplicateOf == nil else { return }
        pools[customer.segment].insert(customer)
    }

    func removeFromPool(_ customer: SimCustomer) {
        pools[customer.segment].remove(customer, in: customers)
    }
}
