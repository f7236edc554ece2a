import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import Server

/// The one table from errors to codes and statuses.
struct ErrorMappingTests {
    @Test(arguments: [
        (EventStoreError.closed, "unavailable", 503),
        (.storage("disk full"), "storage-failure", 500),
        (.locked(path: "/d", holder: "pid 1"), "storage-failure", 500),
        (.corrupt(position: 7, reason: "short"), "corrupt-event", 500),
        (.wrongExpectedVersion(stream: "s", expected: .noStream, actual: 2), "conflict", 409),
        (.eventIdConflict(id: UUID(), storedAt: 3), "conflict", 409),
        (.invalidAppend("empty"), "invalid-append", 422),
    ])
    func storeErrors(error: EventStoreError, code: String, status: Int) {
        let mapped = APIError(translating: error, method: .get, path: "/x")
        #expect(mapped.code.rawValue == code)
        #expect(Int(mapped.code.status.code) == status)
        let problem = mapped.problem(instance: "/x")
        #expect(problem.status == status)
        #expect(problem.title == mapped.code.title)
    }

    @Test func storageDetailsStayInTheServerLog() {
        let mapped = APIError(translating: EventStoreError.storage("/secret/path: EIO"), method: .get, path: "/x")
        #expect(!mapped.detail.contains("/secret/path"))
    }

    @Test func routerAndUnknownErrors() {
        #expect(APIError(translating: HTTPError(.notFound), method: .get, path: "/x").code == .unknownRoute)
        #expect(APIError(translating: HTTPError(.badRequest, message: "no"), method: .get, path: "/x").code == .badRequest)
        #expect(APIError(translating: HTTPError(.contentTooLarge), method: .get, path: "/x").code == .payloadTooLarge)
        struct Unexpected: Error {}
        #expect(APIError(translating: Unexpected(), method: .get, path: "/x").code == .internalError)
    }

    @Test func everyCodeHasADistinctTitleAndAnErrorStatus() {
        let titles = Set(APIError.Code.allCases.map(\.title))
        #expect(titles.count == APIError.Code.allCases.count)
        for code in APIError.Code.allCases {
            #expect(code.status.code >= 400)
        }
    }
}

/// The query-parameter dates.
struct ISO8601TimestampTests {
    @Test(arguments: [
        ("2024-05-01", Int64(1_714_521_600_000)),
        ("2024-05-01T09:30Z", 1_714_555_800_000),
        ("2024-05-01T09:30:00Z", 1_714_555_800_000),
        ("2024-05-01t09:30:00z", 1_714_555_800_000),
        ("2024-05-01T09:30:00.250Z", 1_714_555_800_250),
        ("2024-05-01T09:30:00.2Z", 1_714_555_800_200),
        ("2024-05-01T09:30:00.123456Z", 1_714_555_800_123),
        ("2024-05-01T11:30:00+02:00", 1_714_555_800_000),
        ("2024-05-01T04:30:00-0500", 1_714_555_800_000),
        ("2024-02-29", 1_709_164_800_000),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999Z", -1),
    ])
    func accepted(text: String, milliseconds: Int64) {
        #expect(ISO8601Timestamp.milliseconds(from: text) == milliseconds)
    }

    @Test(arguments: [
        "", "2024", "2024-5-1", "2023-02-29", "2024-04-31", "2024-00-10", "2024-05-01T24:00Z", "2024-05-01T09:60Z",
        "2024-05-01T09:30:61Z", "2024-05-01T09:30:00", "2024-05-01T09:30:00.Z", "2024-05-01T09:30:00Zjunk",
        "2024-05-01 09:30:00Z", "yesterday", "2024-05-01T09:30:00+2",
    ])
    func rejected(text: String) {
        #expect(ISO8601Timestamp.milliseconds(from: text) == nil)
    }

    @Test func roundTripsWithTheEnvelopeFormat() {
        for milliseconds: Int64 in [0, -1, 1_714_555_800_250, 951_782_400_000, 4_102_444_799_999, -62_135_596_800_000] {
            let text = RecordedEvent.iso8601(milliseconds: milliseconds)
            #expect(ISO8601Timestamp.milliseconds(from: text) == milliseconds, "\(text)")
        }
    }
}
