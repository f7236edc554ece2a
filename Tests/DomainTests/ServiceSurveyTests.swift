import Domain
import EventStore
import Foundation
import Testing

@Suite("Satisfaction surveys")
struct SatisfactionSurveyTests {
    func decode(_ fixture: DomainFixture, _ stream: String) throws -> [any DomainEvent] {
        try fixture.store.readStream(stream).map { try fixture.handler.registry.decode($0) }
    }

    /// Registers customer `c1`, opens case `k1` for it and sends survey `s1` about the case.
    func sent() async throws -> DomainFixture {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.run(OpenCase(caseId: "k1", customerId: "c1", channel: .email, category: .billing, priority: .normal,
                                 subject: "Wrong amount", description: "Invoice shows the wrong amount."))
        try await f.run(SendSurvey(surveyId: "s1", customerId: "c1", caseId: "k1", channel: .email))
        return f
    }

    /// Runs `command`, expects exactly `error`, and checks that nothing was written.
    func expectRefused<C: DomainCommand>(_ f: DomainFixture, _ command: C, _ error: DomainError,
                                         sourceLocation: SourceLocation = #_sourceLocation) async {
        let head = f.head
        await #expect(throws: error, sourceLocation: sourceLocation) { try await f.run(command) }
        #expect(f.head == head, sourceLocation: sourceLocation)
    }

    // MARK: Commands

    @Test("sending records the customer, the case and the channel")
    func send() async throws {
        let f = try await sent()
        #expect(try f.types(of: "survey-s1") == ["SurveySent"])
        let event = try #require(try decode(f, "survey-s1").first as? SurveySent)
        #expect(event.customerId == "c1")
        #expect(event.caseId == "k1")
        #expect(event.channel == .email)
        #expect(event.occurredAt == f.now)
    }

    @Test("a survey without a case is a relationship survey")
    func sendWithoutCase() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.run(SendSurvey(surveyId: "s1", customerId: "c1", channel: .sms))
        let event = try #require(try decode(f, "survey-s1").first as? SurveySent)
        #expect(event.caseId == nil)
        #expect(event.channel == .sms)
    }

    @Test("the survivor of a merge can be surveyed about a case of the customer it absorbed")
    func sendAboutAbsorbedCustomersCase() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.register("c2")
        try await f.run(OpenCase(caseId: "k2", customerId: "c2", channel: .chat, category: .technical, priority: .low,
                                 subject: "Login fails", description: "Cannot log in."))
        try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "duplicate"), context: f.context, metadata: f.metadata)
        try await f.run(SendSurvey(surveyId: "s1", customerId: "c1", caseId: "k2", channel: .web))
        #expect(try f.types(of: "survey-s1") == ["SurveySent"])
    }

    @Test("answering records both scores and the comment, with the customer and case")
    func answer() async throws {
        let f = try await sent()
        f.now += 3_600
        try await f.run(AnswerSurvey(surveyId: "s1", csat: 4, nps: 9, comment: "  Quick and friendly  "))
        #expect(try f.types(of: "survey-s1") == ["SurveySent", "SurveyAnswered"])
        let event = try #require(try decode(f, "survey-s1").last as? SurveyAnswered)
        #expect(event.csat == 4)
        #expect(event.nps == 9)
        #expect(event.comment == "Quick and friendly")
        #expect(event.customerId == "c1")
        #expect(event.caseId == "k1")
        #expect(event.occurredAt == f.now)
    }

    // MARK: Invariants

    @Test("CSAT outside 1–5 is refused", arguments: [0, 6, -1])
    func csatOutOfRange(csat: Int) async throws {
        let f = try await sent()
        await expectRefused(f, AnswerSurvey(surveyId: "s1", csat: csat, nps: 5), .invalid(field: "csat", reason: "must be between 1 and 5"))
    }

    @Test("NPS outside 0–10 is refused", arguments: [-1, 11])
    func npsOutOfRange(nps: Int) async throws {
        let f = try await sent()
        await expectRefused(f, AnswerSurvey(surveyId: "s1", csat: 3, nps: nps), .invalid(field: "nps", reason: "must be between 0 and 10"))
    }

    @Test("the bounds themselves are accepted", arguments: [(1, 0), (5, 10)])
    func boundsAccepted(csat: Int, nps: Int) async throws {
        let f = try await sent()
        try await f.run(AnswerSurvey(surveyId: "s1", csat: csat, nps: nps))
        #expect(try f.types(of: "survey-s1") == ["SurveySent", "SurveyAnswered"])
    }

    @Test("a survey is answered only once")
    func answerOnce() async throws {
        let f = try await sent()
        try await f.run(AnswerSurvey(surveyId: "s1", csat: 5, nps: 10))
        await expectRefused(f, AnswerSurvey(surveyId: "s1", csat: 1, nps: 0),
                            .ruleViolated(rule: "survey-already-answered", detail: "survey s1 was already answered"))
    }

    @Test("a survey that was not sent cannot be answered")
    func answerBeforeSent() async throws {
        let f = try DomainFixture()
        await expectRefused(f, AnswerSurvey(surveyId: "nope", csat: 5, nps: 10), .notFound(kind: "survey", id: "nope"))
    }

    @Test("sending to an unknown customer or about an unknown case is not found; sending twice already exists")
    func unknownIds() async throws {
        let f = try await sent()
        await expectRefused(f, SendSurvey(surveyId: "s2", customerId: "ghost", channel: .email), .notFound(kind: "customer", id: "ghost"))
        await expectRefused(f, SendSurvey(surveyId: "s2", customerId: "c1", caseId: "k9", channel: .email), .notFound(kind: "case", id: "k9"))
        await expectRefused(f, SendSurvey(surveyId: "s1", customerId: "c1", channel: .email), .alreadyExists(kind: "survey", id: "s1"))
    }

    @Test("a survey about another customer's case is refused")
    func caseOfAnotherCustomer() async throws {
        let f = try await sent()
        try await f.register("c3")
        await expectRefused(f, SendSurvey(surveyId: "s2", customerId: "c3", caseId: "k1", channel: .phone),
                            .invalid(field: "caseId", reason: "case k1 belongs to customer c1, not c3"))
    }

    @Test("a survey for a merged customer is refused naming the survivor")
    func mergedCustomer() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.register("c2")
        try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "duplicate"), context: f.context, metadata: f.metadata)
        await expectRefused(f, SendSurvey(surveyId: "s1", customerId: "c2", channel: .email), .customerMerged(absorbed: "c2", survivor: "c1"))
    }

    @Test("the domain registry knows every survey event")
    func registry() {
        for type in SatisfactionSurvey.eventTypes { #expect(EventRegistry.domain.knows(type.eventType)) }
    }
}
