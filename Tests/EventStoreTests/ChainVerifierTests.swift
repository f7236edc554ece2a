import Foundation
import Testing
@testable import EventStore

/// Verification while the log keeps growing.
@Suite struct ChainVerifierTests {
    /// Regression: an append committed after verification's last page but before its check for
    /// events beyond the head was reported as "event N+1 is stored beyond the recorded head N"
    /// (found by `crm doctor` beside a writing server). The check now reads the head in the same
    /// snapshot.
    @Test func anAppendDuringVerificationIsNotAnInsertion() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory.path)
        defer { store.close() }
        for n in 0..<10 { try await store.append("s", [event("Noted", "\(n)")], expected: .any, metadata: testMetadata) }
        // Verification runs on a thread of its own so its progress callback can wait for an
        // append that the writer commits meanwhile.
        let report: VerificationReport = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let appended = DispatchSemaphore(value: 0)
                var appendedOnce = false
                let result = Result { () throws(EventStoreError) -> VerificationReport in
                    try store.verify(pageSize: 4) { checked in
                        guard checked == 10, !appendedOnce else { return }
                        appendedOnce = true
                        Task.detached {
                            _ = try? await store.append("s", [event("Noted", "late")], expected: .any, metadata: testMetadata)
                            appended.signal()
                        }
                        appended.wait()
                    }
                }
                continuation.resume(with: result.mapError { $0 as any Error })
            }
        }
        #expect(try store.head().position == 11)
        #expect(report.isIntact, "\(report.problem ?? "")")
        #expect(report.to == 10)
        #expect(try store.verify().isIntact)
    }
}
