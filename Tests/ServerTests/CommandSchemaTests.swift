import Domain
import EventStore
import Foundation
import HTTPTypes
@testable import Server
import Testing

/// The body schemas probed from the command types, and their OpenAPI form.
@Suite("Command schemas")
struct CommandSchemaTests {
    @Test func probedSchemasFollowTheCodableShape() throws {
        let register = try #require(BodySchema.of(RegisterCustomer.self))
        let byName = Dictionary(uniqueKeysWithValues: register.fields.map { ($0.name, $0) })
        #expect(byName["customerId"]?.required == true && byName["customerId"]?.schema == .string)
        #expect(byName["kind"]?.schema == .enumeration(["person", "organisation"]))
        #expect(byName["email"]?.required == false)
        #expect(byName["registerAnyway"]?.schema == .boolean && byName["registerAnyway"]?.required == false)
        let profile = try #require(BodySchema.of(ChangeCustomerProfile.self))
        #expect(profile.fields.first { $0.name == "fields" }?.schema == .map(.nullable(.string)))
        let quote = try #require(BodySchema.of(IssueQuote.self))
        guard case .array(.object(let line))? = quote.fields.first(where: { $0.name == "lines" })?.schema else {
            Issue.record("lines is not an array of objects")
            return
        }
        #expect(line.first { $0.name == "unitPrice" }?.schema == .money)
        #expect(line.first { $0.name == "discountPercent" }?.required == false)
        #expect(BodySchema.of(OpenOpportunity.self)?.fields.first { $0.name == "expectedCloseDate" }?.schema == .dateTime)
    }

    @Test func theDocumentedRequestIsClosedAndListsEnumsAndRequiredMembers() throws {
        let operation = try #require(APIOperations.commands.first { $0.key == "POST /v1/customers" })
        let body = try #require(operation.requestBody)
        #expect(body["additionalProperties"] == false)
        #expect(body["required"] == ["channel", "customerId", "kind", "name"])
        #expect(body["properties"]?["kind"]?["enum"] == ["person", "organisation"])
        #expect(body["properties"]?["managerId"] == Schema.string)
        #expect(operation.successStatus == 201)
        // Ids from the path may be repeated but are not required.
        let contact = try #require(APIOperations.commands.first { $0.key == "POST /v1/customers/{id}/contacts/{contactId}" })
        #expect(contact.requestBody?["required"] == ["fields"])
        #expect(contact.parameters.map(\.name).prefix(2) == ["id", "contactId"])
    }

    @Test func nullMembersOfAMapAndOptionalMembersAreAccepted() {
        let schema = BodySchema.object([
            .init(name: "fields", schema: .map(.nullable(.string)), required: true),
            .init(name: "note", schema: .string, required: false),
        ])
        #expect(schema.problems(in: ["fields": ["a": .null, "b": "x"], "note": .null]) == [])
        #expect(schema.problems(in: ["fields": ["a": 1]]) == [.init(field: "fields.a", reason: "must be a string")])
        #expect(schema.problems(in: [:]) == [.init(field: "fields", reason: "required")])
    }

    /// `X-Reason` fills a command's required `reason` and is recorded on the event.
    @Test func theReasonMayComeFromTheHeader() async throws {
        try await CommandAPI.run { api in
            try await api.expectAccepted(.post, "/v1/leads", #"{"leadId":"l1","source":"webForm","name":"Bo","email":"bo@example.com"}"#,
                                         status: .created)
            try await api.expectAccepted(.post, "/v1/leads/l1/qualify", "", headers: [HTTPField.Name("X-Reason")!: "budget confirmed"])
            let event = try #require(try api.store.event(at: api.head))
            #expect(event.type == "LeadQualified")
            #expect(event.reason == "budget confirmed")
            #expect(String(decoding: event.data, as: UTF8.self).contains("budget confirmed"))
        }
    }
}
