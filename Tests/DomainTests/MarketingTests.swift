import Domain
import EventStore
import Foundation
import Testing

@Suite("Campaigns")
struct CampaignTests {
    let day: TimeInterval = 86_400

    func decode(_ f: DomainFixture, _ stream: String) throws -> [any DomainEvent] {
        try f.store.readStream(stream).map { try f.handler.registry.decode($0) }
    }

    /// Runs `command`, expects exactly `error`, and checks that nothing was written.
    func expectRefused<C: DomainCommand>(_ f: DomainFixture, _ command: C, _ error: DomainError,
                                         sourceLocation: SourceLocation = #_sourceLocation) async {
        let head = f.head
        await #expect(throws: error, sourceLocation: sourceLocation) { try await f.run(command) }
        #expect(f.head == head, sourceLocation: sourceLocation)
    }

    func plan(_ f: DomainFixture, _ id: String = "spring", budget: Money? = nil) async throws {
        try await f.run(PlanCampaign(campaignId: id, name: "Spring offer", channel: .email, targetSegment: "smb-north",
                                     budget: try budget ?? Money("5000", "EUR"), plannedStart: f.now.addingTimeInterval(day),
                                     plannedEnd: f.now.addingTimeInterval(30 * day)))
    }

    /// A launched campaign `spring` with customers c1 and c2 registered and c1 targeted.
    func launchedWithMember(_ f: DomainFixture) async throws {
        try await f.register("c1")
        try await f.register("c2")
        try await plan(f)
        try await f.run(TargetCampaignMember(campaignId: "spring", customerId: "c1"))
        try await f.run(LaunchCampaign(campaignId: "spring"))
    }

    // MARK: Happy paths

    @Test("planning records name, channel, segment, budget and the planned window")
    func planCampaign() async throws {
        let f = try DomainFixture()
        try await f.run(PlanCampaign(campaignId: "spring", name: "  Spring offer ", channel: .directMail, targetSegment: "rfm-champions",
                                     budget: try Money("5000.50", "EUR"), plannedStart: f.now.addingTimeInterval(day),
                                     plannedEnd: f.now.addingTimeInterval(day)))
        #expect(try f.types(of: "campaign-spring") == ["CampaignPlanned"])
        let event = try #require(try decode(f, "campaign-spring").first as? CampaignPlanned)
        #expect(event.name == "Spring offer")
        #expect(event.channel == .directMail)
        #expect(event.targetSegment == "rfm-champions")
        #expect(event.budget == (try Money(minorUnits: 500_050, currency: "EUR")))
        #expect(event.plannedStart == f.now.addingTimeInterval(day))
        #expect(event.plannedEnd == event.plannedStart)
        #expect(event.occurredAt == f.now)
    }

    @Test("launching records the launch at business time")
    func launch() async throws {
        let f = try DomainFixture()
        try await plan(f)
        f.now = f.now.addingTimeInterval(day)
        let outcome = try await f.run(LaunchCampaign(campaignId: "spring"))
        #expect(outcome.eventTypes == ["CampaignLaunched"])
        let event = try #require(try decode(f, "campaign-spring").last as? CampaignLaunched)
        #expect(event.campaignId == "spring")
        #expect(event.occurredAt == f.now)
    }

    @Test("targeting an existing customer records the member")
    func target() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await plan(f)
        try await f.run(TargetCampaignMember(campaignId: "spring", customerId: "c1"))
        #expect(try f.types(of: "campaign-spring") == ["CampaignPlanned", "CampaignMemberTargeted"])
        let event = try #require(try decode(f, "campaign-spring").last as? CampaignMemberTargeted)
        #expect(event.campaignId == "spring")
        #expect(event.customerId == "c1")
    }

    @Test("a targeted member's response is recorded with its channel")
    func respond() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        try await f.run(RecordCampaignResponse(campaignId: "spring", customerId: "c1", channel: .phone, note: " asked for a quote "))
        let event = try #require(try decode(f, "campaign-spring").last as? CampaignMemberResponded)
        #expect(event.customerId == "c1")
        #expect(event.channel == .phone)
        #expect(event.note == "asked for a quote")
    }

    @Test("a targeted member's conversion is recorded with its opportunity or order and value, even after closing")
    func convert() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        try await f.run(TargetCampaignMember(campaignId: "spring", customerId: "c2"))
        try await f.run(RecordCampaignConversion(campaignId: "spring", customerId: "c1", opportunityId: "opp-7", value: try Money("1200", "EUR")))
        let first = try #require(try decode(f, "campaign-spring").last as? CampaignMemberConverted)
        #expect(first.customerId == "c1")
        #expect(first.opportunityId == "opp-7")
        #expect(first.orderId == nil)
        #expect(first.value == (try Money("1200.00", "EUR")))
        try await f.run(CloseCampaign(campaignId: "spring", actualCost: try Money("4000", "EUR")))
        try await f.run(RecordCampaignConversion(campaignId: "spring", customerId: "c2", orderId: "ord-9", value: try Money("80.5", "EUR")))
        let late = try #require(try decode(f, "campaign-spring").last as? CampaignMemberConverted)
        #expect(late.orderId == "ord-9")
        #expect(late.opportunityId == nil)
        #expect(late.value.amount == "80.50")
    }

    @Test("closing records the actual cost")
    func close() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        try await f.run(CloseCampaign(campaignId: "spring", actualCost: try Money("4321.09", "EUR"), note: "under budget"))
        let event = try #require(try decode(f, "campaign-spring").last as? CampaignClosed)
        #expect(event.actualCost == (try Money(minorUnits: 432_109, currency: "EUR")))
        #expect(event.note == "under budget")
        #expect(try f.types(of: "campaign-spring") == ["CampaignPlanned", "CampaignMemberTargeted", "CampaignLaunched", "CampaignClosed"])
    }

    // MARK: Invariants

    @Test("amounts are non-negative and carry a currency: such commands cannot even be decoded")
    func amountsNonNegativeWithCurrency() async throws {
        let f = try DomainFixture()
        try await plan(f)
        let head = f.head
        #expect(throws: DomainError.invalid(field: "amount", reason: "must not be negative")) { try Money(minorUnits: -1, currency: "EUR") }
        #expect(throws: DomainError.invalid(field: "amount", reason: "'-5.00' is not a non-negative decimal with at most 2 decimals")) {
            try Money("-5.00", "EUR")
        }
        #expect(throws: DomainError.invalid(field: "currency", reason: "'' is not an ISO 4217 code")) { try Money("5.00", "") }
        let plan = #"{"campaignId":"x","name":"X","channel":"email","targetSegment":"s","plannedStart":0,"plannedEnd":0,"budget":"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PlanCampaign.self, from: Data((plan + #"{"amount":"-1.00","currency":"EUR"}}"#).utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PlanCampaign.self, from: Data((plan + #"{"amount":"1.00"}}"#).utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PlanCampaign.self, from: Data((plan + #"{"amount":"1.00","currency":"eur"}}"#).utf8)) }
        #expect(try JSONDecoder().decode(PlanCampaign.self, from: Data((plan + #"{"amount":"1.00","currency":"EUR"}}"#).utf8)).budget.amount == "1.00")
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CloseCampaign.self, from: Data(#"{"campaignId":"spring","actualCost":{"amount":"-3","currency":"EUR"}}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RecordCampaignConversion.self, from: Data(#"{"campaignId":"spring","customerId":"c1","value":{"amount":"-3","currency":"EUR"}}"#.utf8))
        }
        #expect(f.head == head)
    }

    @Test("the actual cost must be in the budget's currency")
    func actualCostCurrency() async throws {
        let f = try DomainFixture()
        try await plan(f)
        await expectRefused(f, CloseCampaign(campaignId: "spring", actualCost: try Money("4000", "USD")),
                            .ruleViolated(rule: "campaign-currency-mismatch", detail: "actualCost is in USD but campaign spring is budgeted in EUR"))
    }

    @Test("a conversion's value must be in the budget's currency")
    func conversionCurrency() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        await expectRefused(f, RecordCampaignConversion(campaignId: "spring", customerId: "c1", value: try Money("10", "CNY")),
                            .ruleViolated(rule: "campaign-currency-mismatch", detail: "value is in CNY but campaign spring is budgeted in EUR"))
    }

    @Test("the planned end must not be before the planned start")
    func plannedWindow() async throws {
        let f = try DomainFixture()
        try await plan(f, "other")
        await expectRefused(f, PlanCampaign(campaignId: "spring", name: "Spring", channel: .email, targetSegment: "all",
                                            budget: try Money("1", "EUR"), plannedStart: f.now, plannedEnd: f.now.addingTimeInterval(-1)),
                            .invalid(field: "plannedEnd", reason: "must not be before plannedStart"))
    }

    @Test("planning an existing campaign id is refused")
    func planTwice() async throws {
        let f = try DomainFixture()
        try await plan(f)
        await expectRefused(f, PlanCampaign(campaignId: "spring", name: "Again", channel: .sms, targetSegment: "all",
                                            budget: try Money("1", "EUR"), plannedStart: f.now, plannedEnd: f.now),
                            .alreadyExists(kind: "campaign", id: "spring"))
    }

    @Test("a campaign is launched only once and only while planned")
    func launchOnce() async throws {
        let f = try DomainFixture()
        try await plan(f)
        try await f.run(LaunchCampaign(campaignId: "spring"))
        await expectRefused(f, LaunchCampaign(campaignId: "spring"),
                            .ruleViolated(rule: "campaign-already-launched", detail: "campaign spring is already launched"))
        try await plan(f, "autumn")
        try await f.run(CloseCampaign(campaignId: "autumn", actualCost: .zero("EUR")))
        await expectRefused(f, LaunchCampaign(campaignId: "autumn"), .ruleViolated(rule: "campaign-closed", detail: "campaign autumn is closed"))
    }

    @Test("targeting after closing is refused")
    func targetAfterClosing() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        try await f.run(CloseCampaign(campaignId: "spring", actualCost: try Money("10", "EUR")))
        await expectRefused(f, TargetCampaignMember(campaignId: "spring", customerId: "c2"),
                            .ruleViolated(rule: "campaign-closed", detail: "campaign spring is closed"))
    }

    @Test("a response after closing is refused")
    func respondAfterClosing() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        try await f.run(CloseCampaign(campaignId: "spring", actualCost: try Money("10", "EUR")))
        await expectRefused(f, RecordCampaignResponse(campaignId: "spring", customerId: "c1", channel: .email),
                            .ruleViolated(rule: "campaign-closed", detail: "campaign spring is closed"))
    }

    @Test("a response from a customer who was not targeted is refused")
    func respondUntargeted() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        await expectRefused(f, RecordCampaignResponse(campaignId: "spring", customerId: "c2", channel: .email),
                            .ruleViolated(rule: "campaign-member-not-targeted", detail: "customer c2 is not targeted by campaign spring"))
    }

    @Test("a conversion of a customer who was not targeted is refused")
    func convertUntargeted() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        await expectRefused(f, RecordCampaignConversion(campaignId: "spring", customerId: "c2", value: try Money("1", "EUR")),
                            .ruleViolated(rule: "campaign-member-not-targeted", detail: "customer c2 is not targeted by campaign spring"))
    }

    @Test("responses and conversions before launch are refused")
    func beforeLaunch() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await plan(f)
        try await f.run(TargetCampaignMember(campaignId: "spring", customerId: "c1"))
        let notLaunched = DomainError.ruleViolated(rule: "campaign-not-launched", detail: "campaign spring has not been launched")
        await expectRefused(f, RecordCampaignResponse(campaignId: "spring", customerId: "c1", channel: .web), notLaunched)
        await expectRefused(f, RecordCampaignConversion(campaignId: "spring", customerId: "c1", value: try Money("1", "EUR")), notLaunched)
    }

    @Test("a member is targeted, answers and converts once")
    func once() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        await expectRefused(f, TargetCampaignMember(campaignId: "spring", customerId: "c1"),
                            .ruleViolated(rule: "campaign-member-already-targeted", detail: "customer c1 is already targeted by campaign spring"))
        try await f.run(RecordCampaignResponse(campaignId: "spring", customerId: "c1", channel: .email))
        await expectRefused(f, RecordCampaignResponse(campaignId: "spring", customerId: "c1", channel: .phone),
                            .ruleViolated(rule: "campaign-member-already-responded", detail: "customer c1 already responded to campaign spring"))
        try await f.run(RecordCampaignConversion(campaignId: "spring", customerId: "c1", value: try Money("1", "EUR")))
        await expectRefused(f, RecordCampaignConversion(campaignId: "spring", customerId: "c1", value: try Money("2", "EUR")),
                            .ruleViolated(rule: "campaign-member-already-converted", detail: "customer c1 already converted in campaign spring"))
    }

    @Test("a conversion names an opportunity or an order, not both")
    func conversionLinksOne() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        await expectRefused(f, RecordCampaignConversion(campaignId: "spring", customerId: "c1", opportunityId: "o1", orderId: "r1",
                                                        value: try Money("1", "EUR")),
                            .invalid(field: "orderId", reason: "give an opportunityId or an orderId, not both"))
    }

    @Test("a campaign is closed once")
    func closeTwice() async throws {
        let f = try DomainFixture()
        try await plan(f)
        try await f.run(CloseCampaign(campaignId: "spring", actualCost: try Money("1", "EUR")))
        await expectRefused(f, CloseCampaign(campaignId: "spring", actualCost: try Money("2", "EUR")),
                            .ruleViolated(rule: "campaign-already-closed", detail: "campaign spring is already closed"))
    }

    @Test("commands on an unknown campaign are not found")
    func unknownCampaign() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        let missing = DomainError.notFound(kind: "campaign", id: "nope")
        await expectRefused(f, LaunchCampaign(campaignId: "nope"), missing)
        await expectRefused(f, TargetCampaignMember(campaignId: "nope", customerId: "c1"), missing)
        await expectRefused(f, RecordCampaignResponse(campaignId: "nope", customerId: "c1", channel: .email), missing)
        await expectRefused(f, RecordCampaignConversion(campaignId: "nope", customerId: "c1", value: try Money("1", "EUR")), missing)
        await expectRefused(f, CloseCampaign(campaignId: "nope", actualCost: try Money("1", "EUR")), missing)
        #expect(try f.store.readStream("campaign-nope").isEmpty)
    }

    @Test("targeting a customer that does not exist is refused")
    func targetUnknownCustomer() async throws {
        let f = try DomainFixture()
        try await plan(f)
        await expectRefused(f, TargetCampaignMember(campaignId: "spring", customerId: "ghost"), .notFound(kind: "customer", id: "ghost"))
    }

    @Test("targeting a merged customer is refused naming the survivor")
    func targetMergedCustomer() async throws {
        let f = try DomainFixture()
        try await launchedWithMember(f)
        try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "same person"), context: f.context, metadata: f.metadata)
        await expectRefused(f, TargetCampaignMember(campaignId: "spring", customerId: "c2"), .customerMerged(absorbed: "c2", survivor: "c1"))
    }
}
