import Foundation

/// Issues a quote to an existing, unmerged customer, optionally for one of its open opportunities
/// (whose currency the lines must use). All lines in one currency; totals computed here.
public struct IssueQuote: DomainCommand {
    public typealias Target = Quote
    public static let commandType = "IssueQuote"
    public var quoteId: String
    public var customerId: String
    public var opportunityId: String?
    public var lines: [SalesLineItem]
    public var validUntil: Date?

    public init(quoteId: String, customerId: String, opportunityId: String? = nil, lines: [SalesLineItem], validUntil: Date? = nil) {
        self.quoteId = quoteId
        self.customerId = customerId
        self.opportunityId = opportunityId
        self.lines = lines
        self.validUntil = validUntil
    }

    public var targetId: String { quoteId }

    public var references: [RecordReference] {
        [.record(Customer.self, customerId)] + (opportunityId.map { [.record(Opportunity.self, $0)] } ?? [])
    }

    public func decide(_ state: Quote, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(quoteId, "quoteId")
        guard !state.exists else { throw .alreadyExists(kind: "quote", id: id) }
        let customer = context.record(Customer.self, customerId) ?? Customer()
        try customer.requireCommandable(customerId)
        let priced = try SalesPricing.price(lines)
        if let opportunityId {
            let opportunity = context.record(Opportunity.self, opportunityId) ?? Opportunity()
            try opportunity.requireOpen(opportunityId)
            guard customer.owns(opportunity.customerId) else {
                throw .invalid(field: "opportunityId", reason: "opportunity \(opportunityId) belongs to customer \(opportunity.customerId)")
            }
            try opportunity.amount.requireSameCurrency(priced.total)
        }
        return [QuoteIssued(quoteId: id, customerId: customerId, opportunityId: opportunityId, revision: 1, lines: priced.lines,
                            total: priced.total,
                            validUntil: try validUntil.map { d throws(DomainError) in try Validate.date(d, "validUntil") },
                            occurredAt: context.now)]
    }
}

/// Replaces the lines of an unanswered quote as a new revision. The currency cannot change.
public struct ReviseQuote: DomainCommand {
    public typealias Target = Quote
    public static let commandType = "ReviseQuote"
    public var quoteId: String
    public var lines: [SalesLineItem]
    /// nil keeps the current validity.
    public var validUntil: Date?
    public var reason: String?

    public init(quoteId: String, lines: [SalesLineItem], validUntil: Date? = nil, reason: String? = nil) {
        self.quoteId = quoteId
        self.lines = lines
        self.validUntil = validUntil
        self.reason = reason
    }

    public var targetId: String { quoteId }

    public func decide(_ state: Quote, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireIssued(quoteId)
        let priced = try SalesPricing.price(lines)
        try state.total.requireSameCurrency(priced.total)
        let validUntil = try validUntil.map { d throws(DomainError) in try Validate.date(d, "validUntil") } ?? state.validUntil
        return [QuoteRevised(quoteId: quoteId, revision: state.revision + 1, lines: priced.lines, total: priced.total,
                             validUntil: validUntil, reason: try Validate.optionalText(reason, "reason", max: 500),
                             occurredAt: context.now)]
    }
}

/// Records the customer's acceptance of the latest revision, if the quote is still valid.
/// Accepting an accepted quote changes nothing.
public struct AcceptQuote: DomainCommand {
    public typealias Target = Quote
    public static let commandType = "AcceptQuote"
    public var quoteId: String

    public init(quoteId: String) {
        self.quoteId = quoteId
    }

    public var targetId: String { quoteId }

    public func decide(_ state: Quote, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExists(quoteId)
        guard state.status != .accepted else { return [] }
        try state.requireIssued(quoteId)
        if let validUntil = state.validUntil, context.now > validUntil {
            throw .ruleViolated(rule: "quote-expired", detail: "quote \(quoteId) was valid until \(Timestamp.format(validUntil))")
        }
        return [QuoteAccepted(quoteId: quoteId, revision: state.revision, total: state.total, occurredAt: context.now)]
    }
}

/// Records that the customer declined the quote, and why. Rejecting a rejected quote changes nothing.
public struct RejectQuote: DomainCommand {
    public typealias Target = Quote
    public static let commandType = "RejectQuote"
    public var quoteId: String
    public var reason: String

    public init(quoteId: String, reason: String) {
        self.quoteId = quoteId
        self.reason = reason
    }

    public var targetId: String { quoteId }

    public func decide(_ state: Quote, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExists(quoteId)
        let reason = try Validate.text(reason, "reason", max: 500)
        guard state.status != .rejected else { return [] }
        try state.requireIssued(quoteId)
        return [QuoteRejected(quoteId: quoteId, revision: state.revision, reason: reason, occurredAt: context.now)]
    }
}
