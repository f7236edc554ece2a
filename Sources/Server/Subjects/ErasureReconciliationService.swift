import Domain
import EventStore
import Logging
import ServiceLifecycle

/// Makes the log say what the keys say, once, when the application starts: every subject on the
/// key ring's erasure list whose record lacks `SubjectErased` (a crash between destroying the keys
/// and appending the event, or a backup restored from before an erasure) gets the event now, with
/// any key it owns that is still alive destroyed (`SubjectErasure.reconcile`).
///
/// The events are the engine's own doing, so they carry the `system` actor and a local source,
/// like the other events the engine writes without a request. A failure is logged and does not
/// stop the server: the keys are already gone, so the subject reads as erased either way, and the
/// next start tries again.
///
/// Listed after `EventStoreService`, so that on shutdown it ends before the store closes.
struct ErasureReconciliationService: Service {
    /// Why the events are written, recorded as their reason.
    static let reason = "erasure on the erasure list not yet recorded in the log (interrupted erasure or restored backup); recorded at start-up"

    let erasure: SubjectErasure
    let logger: Logger

    func run() async throws {
        let metadata = AppendMetadata(actor: .system, source: .local(tool: "crm serve"), reason: Self.reason)
        do {
            let recorded = try await erasure.reconcile(metadata: metadata)
            if !recorded.isEmpty {
                logger.notice("erasures recorded at start-up", metadata: ["subjects": "\(recorded.joined(separator: " "))"])
            }
        } catch {
            logger.error("could not record pending erasures at start-up; the next start tries again", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()
    }
}
