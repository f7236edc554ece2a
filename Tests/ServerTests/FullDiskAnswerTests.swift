import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a full disk answers. The store's refusal is 507 `insufficient-storage`; and a command whose
/// events are durable is answered as carried out even when the disk fills before its answer can be
/// kept for replays (found by `scripts/drills/disk-full.sh`: such commands were answered 507 while
/// their events were in the log, so the client believed they had failed).
@Suite("Full disk answers")
struct FullDiskAnswerTests {
    @Test func insufficientStorageIs507WithAClearSentence() {
        let mapped = APIError(translating: EventStoreError.insufficientStorage("/data/log: No space left on device (28)"),
                              method: .post, path: "/v1/customers")
        #expect(mapped.code == .insufficientStorage)
        #expect(mapped.code.status.code == 507)
        #expect(mapped.detail.contains("full") && mapped.detail.contains("nothing of this request was written"))
        #expect(!mapped.detail.contains("/data/log"))
        let problem = mapped.problem(instance: "/v1/customers")
        #expect(problem.code == "insufficient-storage")
        #expect(problem.status == 507)
    }

    /// A registration whose personal data key cannot be stored on the full disk (found by the
    /// drill: it was a 500 `storage-failure`).
    @Test func aFullKeyRingIs507() {
        let mapped = APIError(translating: KeyRingError.insufficientStorage("/data/keys: No space left on device (28)"),
                              method: .post, path: "/v1/customers")
        #expect(mapped.code == .insufficientStorage)
        #expect(mapped.code.status.code == 507)
        #expect(!mapped.detail.contains("/data/keys"))
        #expect(APIError(translating: KeyRingError.storage("EIO"), method: .post, path: "/v1/customers").code == .storageFailure)
    }

    @Test func commandRoutesDocument507() throws {
        for operation in APIOperations.commands {
            #expect(operation.errors.contains(507), "\(operation.key)")
        }
    }

    /// `<data>/idempotency` on a tiny tmpfs that is then filled: the log (elsewhere) still takes
    /// the append, but the answer cannot be kept. Needs root to mount; CI runs as root.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func aCarriedOutCommandIsNotAnswered507WhenItsAnswerCannotBeKept() async throws {
        try await CommandAPI.run { api in
            let directory = api.store.directory + "/idempotency"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard "size=1m".withCString({ mount("crm-test", directory, "tmpfs", 0, $0) }) == 0 else {
                Issue.record("cannot mount a tmpfs at \(directory): errno \(errno)")
                return
            }
            defer { umount2(directory, Int32(MNT_DETACH)) }
            let customer = #"{"customerId":"c1","kind":"person","name":"Ana Lima","channel":"webForm"}"#
            // The first keyed command opens the environment on the tmpfs; then fill what is left.
            let first = try await api.send(.post, "/v1/customers", customer, headers: Self.key("first"))
            #expect(first.status == .created, "\(first.text)")
            let ballast = directory + "/ballast"
            let fd = open(ballast, O_CREAT | O_WRONLY, 0o600)
            var facts = statvfs()
            statvfs(directory, &facts)
            _ = posix_fallocate(fd, 0, off_t(facts.f_bavail) * off_t(facts.f_frsize))
            close(fd)
            statvfs(directory, &facts)
            #expect(facts.f_bavail == 0)

            // Carried out, though its answer cannot be kept: 201, and the retry finds the events.
            let head = api.head
            let interaction = #"{"interactionId":"i1","channel":"call","direction":"outbound","outcome":"reached"}"#
            let answered = try await api.send(.post, "/v1/customers/c1/interactions", interaction, headers: Self.key("i1"))
            #expect(answered.status == .ok, "\(answered.text)")
            #expect(api.head == head + 1)
            let retry = try await api.send(.post, "/v1/customers/c1/interactions", interaction, headers: Self.key("i1"))
            #expect(retry.status == .ok, "\(retry.text)")
            #expect((retry.object["position"] as? NSNumber)?.uint64Value == head + 1)
            #expect(api.head == head + 1)

            // Refused (nothing written), though the refusal cannot be kept: the refusal, not 507.
            let duplicate = try await api.send(.post, "/v1/customers", customer, headers: Self.key("again"))
            try expectProblem(duplicate, status: .conflict, code: "already-exists")
            #expect(api.head == head + 1)

            // Once space is freed the answers are kept again.
            unlink(ballast)
            let later = try await api.send(.post, "/v1/customers/c1/interactions",
                                           interaction.replacingOccurrences(of: "i1", with: "i2"), headers: Self.key("i2"))
            #expect(later.status == .ok, "\(later.text)")
            let stored = try await api.send(.post, "/v1/customers/c1/interactions",
                                            interaction.replacingOccurrences(of: "i1", with: "i2"), headers: Self.key("i2"))
            #expect(stored.text == later.text)
        }
    }

    private static func key(_ value: String) -> HTTPFields {
        [HTTPField.Name("Idempotency-Key")!: value]
    }
}
