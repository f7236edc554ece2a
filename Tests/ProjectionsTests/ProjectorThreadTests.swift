import Foundation
@testable import Projections
import Testing

/// `ProjectorThread`: runs jobs one at a time in order off the cooperative pool, hands back
/// values and errors, and refuses jobs once stopped.
@Suite("Projector threads")
struct ProjectorThreadTests {
    struct Refused: Error, Equatable {}

    @Test("values and errors come back; jobs run on the named thread; none after stop")
    func jobs() async throws {
        let thread = ProjectorThread(name: "crm-proj-test")
        for i in 0..<20 {
            // The OS thread's name, as `top -H` shows it.
            let (value, name) = try await thread.perform {
                (i * 2, (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines))
            }
            #expect(value == i * 2)
            #expect(name == "crm-proj-test")
        }
        await #expect(throws: Refused.self) { try await thread.perform { () throws -> Int in throw Refused() } }
        thread.stop()
        thread.stop()
        await #expect(throws: CancellationError.self) { try await thread.perform { 1 } }
    }
}
