import Foundation

// The simulator's mirror of the company: for every record it has created, what the domain's
// aggregates know about it (so every command it writes is valid at its time) plus the behaviour
// it has drawn for it (segment, payment habits, subscription). Records live in arrays and are
// named by their index; nothing is iterated through a hash order, so runs are reproducible.

/// A customer segment with the behaviour typical of it.
struct SimulationSegment {
    let name: String
    let sizes: [String]
    /// Expected counts per customer and year.
    let interactionsPerYear: Double
    let casesPerYear: Double
    let upSellsPerYear: Double
    let crossSellsPerYear: Double
    let shopOrdersPerYear: Double
    /// Licensed users of a subscription.
    let users: ClosedRange<Int>
    let discount: ClosedRange<Int>
    let paymentTermsDays: Int64
    /// Sales process of new business (index into `SimulationCatalog.processes`).
    let newBusinessProcess: Int
    /// Multiplier of the time deals spend in each stage.
    let pace: Double

    static let keyAccount = 0, midMarket = 1, smb = 2, consumer = 3

    static let all: [SimulationSegment] = [
        SimulationSegment(name: "key-account", sizes: ["250-999", "1000+"], interactionsPerYear: 14, casesPerYear: 4,
                          upSellsPerYear: 0.6, crossSellsPerYear: 0.45, shopOrdersPerYear: 0, users: 150...900, discount: 10...25,
                          paymentTermsDays: 45, newBusinessProcess: 0, pace: 1.6),
        SimulationSegment(name: "mid-market", sizes: ["50-249"], interactionsPerYear: 6, casesPerYear: 2,
                          upSellsPerYear: 0.3, crossSellsPerYear: 0.25, shopOrdersPerYear: 0, users: 25...150, discount: 5...15,
                          paymentTermsDays: 30, newBusinessProcess: 0, pace: 1.0),
        SimulationSegment(name: "smb", sizes: ["1-9", "10-49"], interactionsPerYear: 2.5, casesPerYear: 1,
                          upSellsPerYear: 0.15, crossSellsPerYear: 0.15, shopOrdersPerYear: 0, users: 2...25, discount: 0...10,
                          paymentTermsDays: 14, newBusinessProcess: 1, pace: 0.7),
        SimulationSegment(name: "consumer", sizes: ["individual"], interactionsPerYear: 0.4, casesPerYear: 0.4,
                          upSellsPerYear: 0, crossSellsPerYear: 0, shopOrdersPerYear: 0.9, users: 1...1, discount: 0...5,
                          paymentTermsDays: 14, newBusinessProcess: 1, pace: 0.5),
    ]
}

/// How a customer pays its bills.
enum PayerHabit {
    case prompt, slow, erratic, bad
}

final class SimCustomer {
    let index: Int
    let id: String
    var kind: CustomerKind
    var identity: SimulationPeople.Identity
    var segment: Int
    var team: Int
    var industry: String
    var size: String
    var tier: String
    var classification: Classification?
    var manager: Int?
    var contacts: [(id: String, name: String, role: String)] = []
    var consents: [String] = []
    var tags: [String] = []
    var isActive = true
    var isAbsorbed = false
    /// Set on a deliberate duplicate: the customer it duplicates, and the field the index matches.
    var duplicateOf: Int?
    var matchedOn: String?
    /// The manager chosen at conversion, assigned during onboarding.
    var intendedManager: Int?
    /// Open opportunities and open tasks about this customer.
    var deals: [Int] = []
    var tasks: [Int] = []
    var acquiredAt: Int64
    var lastPurchaseAt: Int64?
    var complaints: [Int64] = []
    var openDeals = 0
    var subscription: (product: Int, users: Int)?
    var renewalAt: Int64?
    var renewalLost = false
    var renewalOpen = false
    var habit: PayerHabit
    var churnedAt: Int64?
    var lastRetentionAt: Int64?
    var revenue: [(at: Int64, minor: Int64)] = []
    var channel: AcquisitionChannel
    /// Set while the customer is in the pool of its segment.
    var poolSlot: Int?

    init(index: Int, id: String, kind: CustomerKind, identity: SimulationPeople.Identity, segment: Int, team: Int, industry: String,
         size: String, tier: String, acquiredAt: Int64, habit: PayerHabit, channel: AcquisitionChannel) {
        self.index = index
        self.id = id
        self.kind = kind
        self.identity = identity
        self.segment = segment
        self.team = team
        self.industry = industry
        self.size = size
        self.tier = tier
        self.acquiredAt = acquiredAt
        self.habit = habit
        self.channel = channel
    }

    var isCommandable: Bool { !isAbsorbed }
}

final class SimLead {
    let id: String
    let source: LeadSource
    let identity: SimulationPeople.Identity
    let team: Int
    let campaign: Int?
    let qualifies: Bool
    let winFactor: Double
    var status: LeadStatus = .captured

    init(id: String, source: LeadSource, identity: SimulationPeople.Identity, team: Int, campaign: Int?, qualifies: Bool, winFactor: Double) {
        self.id = id
        self.source = source
        self.identity = identity
        self.team = team
        self.campaign = campaign
        self.qualifies = qualifies
        self.winFactor = winFactor
    }
}

final class SimOpportunity {
    let index: Int
    let id: String
    let customer: Int
    let process: Int
    var processVersion: Int
    var stages: [SalesStage]
    var allowsSkipping: Bool
    var stage = 0
    var fields: Set<String> = []
    var status: OpportunityStatus = .open
    var owner: Int
    let cycle: SalesCycleKind
    var amount: Int64
    var closeDate: Int64
    let winFactor: Double
    var lines: [SalesLineItem]
    var quote: Int?
    var campaign: Int?
    var reopened = false
    var movedBack = 0

    init(index: Int, id: String, customer: Int, process: Int, processVersion: Int, stages: [SalesStage], allowsSkipping: Bool, owner: Int,
         cycle: SalesCycleKind, amount: Int64, closeDate: Int64, winFactor: Double, lines: [SalesLineItem]) {
        self.index = index
        self.id = id
        self.customer = customer
        self.process = process
        self.processVersion = processVersion
        self.stages = stages
        self.allowsSkipping = allowsSkipping
        self.owner = owner
        self.cycle = cycle
        self.amount = amount
        self.closeDate = closeDate
        self.winFactor = winFactor
        self.lines = lines
    }
}

final class SimQuote {
    let id: String
    var lines: [SalesLineItem]
    var validUntil: Int64
    var status: QuoteStatus = .issued
    var revision = 1

    init(id: String, lines: [SalesLineItem], validUntil: Int64) {
        self.id = id
        self.lines = lines
        self.validUntil = validUntil
    }
}

final class SimOrder {
    let id: String
    let customer: Int
    let lines: [SalesLineItem]
    var status: OrderStatus = .placed
    let viaShop: Bool

    init(id: String, customer: Int, lines: [SalesLineItem], viaShop: Bool) {
        self.id = id
        self.customer = customer
        self.lines = lines
        self.viaShop = viaShop
    }
}

final class SimInvoice {
    let id: String
    let customer: Int
    let total: Int64
    var outstanding: Int64
    let dueAt: Int64
    var status: InvoiceStatus = .open
    var isOverdue = false
    var payments = 0
    var arrearsTask: Int?
    let method: PaymentMethod

    init(id: String, customer: Int, total: Int64, dueAt: Int64, method: PaymentMethod) {
        self.id = id
        self.customer = customer
        self.total = total
        outstanding = total
        self.dueAt = dueAt
        self.method = method
    }
}

final class SimCase {
    let id: String
    let customer: Int
    let priority: CasePriority
    let isComplaint: Bool
    let channel: InteractionChannel
    let openedAt: Int64
    var status: CaseStatus = .open
    var agent: Int?
    var hasFirstResponse = false
    var escalation = 0
    var reopens = 0
    var breached = false
    var pendingReopen = false
    var surveyed = false
    /// When the desk will answer and resolve, drawn at opening against the SLA targets.
    var respondAt: Int64 = 0
    var resolveAt: Int64 = 0

    init(id: String, customer: Int, priority: CasePriority, isComplaint: Bool, channel: InteractionChannel, openedAt: Int64) {
        self.id = id
        self.customer = customer
        self.priority = priority
        self.isComplaint = isComplaint
        self.channel = channel
        self.openedAt = openedAt
    }
}

final class SimCampaign {
    let id: String
    let name: String
    let channel: MarketingChannel
    let budget: Int64
    let segment: Int?
    let isWinBack: Bool
    var stage: Campaign.Stage = .planned
    var launched = false
    var targeted: [Int] = []
    var targetedSet: Set<Int> = []
    var responded: Set<Int> = []
    var converted: Set<Int> = []
    let start: Int64
    let end: Int64

    init(id: String, name: String, channel: MarketingChannel, budget: Int64, segment: Int?, isWinBack: Bool, start: Int64, end: Int64) {
        self.id = id
        self.name = name
        self.channel = channel
        self.budget = budget
        self.segment = segment
        self.isWinBack = isWinBack
        self.start = start
        self.end = end
    }
}

final class SimTask {
    let id: String
    var manager: Int
    let customer: Int
    let dueAt: Int64
    let kind: WorkTaskKind
    var status: WorkTask.Status = .open
    var isOverdue = false

    init(id: String, manager: Int, customer: Int, dueAt: Int64, kind: WorkTaskKind) {
        self.id = id
        self.manager = manager
        self.customer = customer
        self.dueAt = dueAt
        self.kind = kind
    }
}

/// The active customers of one segment, for drawing who calls, buys or complains today: O(1)
/// insertion, removal and uniform choice, in an order that depends only on the simulation.
struct CustomerPool {
    private(set) var members: [Int] = []

    var count: Int { members.count }

    mutating func insert(_ customer: SimCustomer) {
        guard customer.poolSlot == nil else { return }
        customer.poolSlot = members.count
        members.append(customer.index)
    }

    mutating func remove(_ customer: SimCustomer, in customers: [SimCustomer]) {
        guard let slot = customer.poolSlot else { return }
        let last = members.removeLast()
        if last != customer.index {
            members[slot] = last
            customers[last].poolSlot = slot
        }
        customer.poolSlot = nil
    }

    func pick(_ random: inout SimulationRandom) -> Int? { members.isEmpty ? nil : members[random.int(0...(members.count - 1))] }
}
