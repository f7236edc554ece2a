import Foundation

/// What the simulated company sells and how it sells it: a product list with list prices, and the
/// sales processes (with their stage templates, time in stage and stage-to-stage conversion).
enum SimulationCatalog {
    /// A product with its list price in minor units.
    struct Product {
        let id: String
        let name: String
        let price: Int64
        /// Licences are sold per user and year; the rest per piece or day.
        let isLicence: Bool
    }

    static let products: [Product] = [
        Product(id: "SW-CLOUD-BASIC", name: "Cloud Suite Basic, per user and year", price: 18_000, isLicence: true),
        Product(id: "SW-CLOUD-PRO", name: "Cloud Suite Pro, per user and year", price: 42_000, isLicence: true),
        Product(id: "SW-CLOUD-ENT", name: "Cloud Suite Enterprise, per user and year", price: 78_000, isLicence: true),
        Product(id: "SVC-ONBOARDING", name: "Onboarding package", price: 240_000, isLicence: false),
        Product(id: "SVC-TRAINING-DAY", name: "Training day on site", price: 95_000, isLicence: false),
        Product(id: "SVC-CONSULTING-DAY", name: "Consulting day", price: 115_000, isLicence: false),
        Product(id: "SVC-SUPPORT-PREMIUM", name: "Premium support, per year", price: 360_000, isLicence: false),
        Product(id: "HW-LAPTOP-14", name: "Business laptop 14 inch", price: 129_000, isLicence: false),
        Product(id: "HW-DOCK-USB-C", name: "USB-C docking station", price: 18_900, isLicence: false),
        Product(id: "HW-MONITOR-27", name: "Monitor 27 inch", price: 34_900, isLicence: false),
        Product(id: "HW-HEADSET", name: "Headset with noise cancelling", price: 8_900, isLicence: false),
        Product(id: "HW-TABLET-11", name: "Tablet 11 inch", price: 54_900, isLicence: false),
        Product(id: "SW-HOME", name: "Home Suite, per year", price: 7_900, isLicence: true),
        Product(id: "ACC-BUNDLE", name: "Accessory bundle", price: 4_990, isLicence: false),
    ]

    static let basic = 0, pro = 1, enterprise = 2, onboarding = 3, training = 4, consulting = 5, support = 6
    static let laptop = 7, dock = 8, monitor = 9, headset = 10, tablet = 11, home = 12, accessories = 13
    static let hardware = [laptop, dock, monitor, headset]
    static let services = [training, consulting, support]
    static let shop = [headset, tablet, home, accessories, monitor, dock]

    static func product(_ id: String) -> Int? { products.firstIndex { $0.id == id } }

    /// A sales process with the simulation's behaviour per stage: how long a deal stays and how
    /// likely it is to move on from there (the last stage's chance is the chance to win).
    struct Process {
        let id: String
        let name: String
        let stages: [SalesStage]
        let allowsSkipping: Bool
        let medianDays: [Double]
        let advance: [Double]
        /// The stage whose entry sends the quote.
        let quoteStage: Int
        /// The stages of the revision the administrator introduces later, if any.
        let revision: (stages: [SalesStage], reason: String)?
    }

    static let b2b = 0, smbFast = 1, accountGrowth = 2

    static let processes: [Process] = [
        Process(
            id: "b2b-standard", name: "B2B new business",
            stages: [
                SalesStage(name: "qualification", winProbability: 10),
                SalesStage(name: "needs-analysis", winProbability: 25, requiredFields: ["budget", "decisionMaker"]),
                SalesStage(name: "solution-design", winProbability: 40, requiredFields: ["requirements"]),
                SalesStage(name: "proposal", winProbability: 60, requiredFields: ["proposalSentAt"]),
                SalesStage(name: "negotiation", winProbability: 80, requiredFields: ["legalReview"]),
            ],
            allowsSkipping: false, medianDays: [9, 12, 15, 12, 10], advance: [0.72, 0.78, 0.82, 0.72, 0.74], quoteStage: 3,
            revision: ([
                SalesStage(name: "qualification", winProbability: 10),
                SalesStage(name: "needs-analysis", winProbability: 20, requiredFields: ["budget", "decisionMaker", "timeline"]),
                SalesStage(name: "solution-design", winProbability: 35, requiredFields: ["requirements"]),
                SalesStage(name: "proposal", winProbability: 55, requiredFields: ["proposalSentAt"]),
                SalesStage(name: "negotiation", winProbability: 75, requiredFields: ["legalReview"]),
            ], "pipeline review: timeline required before needs analysis, probabilities recalibrated on last year's funnel")),
        Process(
            id: "smb-fast", name: "SMB quick sale",
            stages: [
                SalesStage(name: "qualification", winProbability: 20),
                SalesStage(name: "proposal", winProbability: 55, requiredFields: ["budget"]),
                SalesStage(name: "closing", winProbability: 85, requiredFields: ["decisionMaker"]),
            ],
            allowsSkipping: true, medianDays: [4, 6, 5], advance: [0.75, 0.72, 0.8], quoteStage: 1,
            revision: ([
                SalesStage(name: "qualification", winProbability: 20),
                SalesStage(name: "proposal", winProbability: 55, requiredFields: ["budget"]),
                SalesStage(name: "closing", winProbability: 80, requiredFields: ["decisionMaker", "budget"]),
            ], "closing requires a confirmed budget, also when the proposal stage is skipped")),
        Process(
            id: "account-growth", name: "Existing customers: up-sell, cross-sell, renewal",
            stages: [
                SalesStage(name: "review", winProbability: 50),
                SalesStage(name: "offer", winProbability: 75, requiredFields: ["proposalSentAt"]),
                SalesStage(name: "commitment", winProbability: 90, requiredFields: ["decisionMaker"]),
            ],
            allowsSkipping: false, medianDays: [6, 9, 6], advance: [0.84, 0.8, 0.84], quoteStage: 1, revision: nil),
    ]

    static let competitors = ["Contoso Systems", "Initech", "Globex Software", "Umbrella IT", "Vandelay Digital", "Hooli Cloud", "a local reseller"]

    static let lossReasons = [
        "price too high", "chose a competitor", "no budget this year", "project postponed", "requirements not met",
        "decision maker left", "went silent", "bought in-house solution",
    ]

    static let backReasons = [
        "budget re-evaluated by the customer", "new stakeholder joined the evaluation", "requirements changed",
        "customer asked for a second demo", "procurement restarted the process",
    ]
}
