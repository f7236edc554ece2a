/// The four analytics cubes, each a table of finest-grain cells keyed by business day and the
/// cube's dimensions, holding additive measures (sums and counts).
///
/// Money measures are stored per currency as `<measure>.<ISO code>` (e.g. `ordersPlacedAmount.EUR`,
/// minor units), so a roll-up never adds two currencies. Averages are answered as a sum and a
/// count (`resolutionMinutes` / `casesResolved`, `csatSum` / `surveysAnswered`).
public enum CubeKind: String, Sendable, Codable, CaseIterable {
    /// Orders placed and cancelled (lines by product) and payments received.
    case revenue
    /// Opportunities created, won and lost with amounts and cycle days, and the open pipeline by stage.
    case pipeline
    /// Cases, first responses and resolutions with SLA breaches and minutes, closures, surveys (CSAT, NPS).
    case service
    /// New, churned and reactivated customers, merged duplicates, and the customer base by state.
    case customer

    /// The stored dimensions of a cell key, in key order (after the day).
    public var dimensions: [CubeDimension] {
        switch self {
        case .revenue: [.manager, .team, .region, .segment, .channel, .campaign, .product]
        case .pipeline: [.manager, .team, .region, .segment, .channel, .campaign, .stage]
        case .service: [.manager, .team, .region, .segment, .channel]
        case .customer: [.manager, .team, .region, .segment, .channel, .campaign, .state]
        }
    }

    /// The measures of the cube; those in `moneyMeasures` are stored once per currency.
    public var measures: [String] {
        switch self {
        case .revenue:
            ["ordersPlaced", "orderLines", "unitsOrdered", "ordersPlacedAmount", "ordersCancelled", "unitsCancelled",
             "ordersCancelledAmount", "paymentsReceived", "paymentsReceivedAmount"]
        case .pipeline:
            ["opportunitiesCreated", "createdAmount", "openOpportunities", "openAmount", "won", "wonAmount", "wonCycleDays",
             "lost", "lostAmount", "lostCycleDays"]
        case .service:
            ["casesOpened", "complaints", "firstResponses", "firstResponseMinutes", "firstResponseBreaches", "casesResolved",
             "resolutionMinutes", "resolutionBreaches", "slaBreaches", "casesClosed", "surveysAnswered", "csatSum", "npsSum",
             "promoters", "detractors"]
        case .customer:
            ["newCustomers", "churned", "reactivated", "duplicatesMerged", "customers", "activeCustomers"]
        }
    }

    /// Measures held per currency.
    public var moneyMeasures: Set<String> {
        switch self {
        case .revenue: ["ordersPlacedAmount", "ordersCancelledAmount", "paymentsReceivedAmount"]
        case .pipeline: ["createdAmount", "openAmount", "wonAmount", "lostAmount"]
        case .service, .customer: []
        }
    }

    /// The table of the cube's cells.
    public var table: ReadModelTable<[String: Int64]> { ReadModelTable("\(rawValue)Cells") }
}
