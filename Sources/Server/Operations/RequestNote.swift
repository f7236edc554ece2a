import Synchronization

/// What inner middleware learns about a request that the outer request log needs: who called.
///
/// `RequestLogMiddleware` wraps the whole chain, before the bearer token is checked, and request
/// contexts are values, so a principal set further in never reaches it. It puts a note in the
/// context it passes inward instead (`CRMRequestContext.note`), which `PrincipalNoteMiddleware`
/// fills after authentication. The note is shared by reference between the two, hence the lock.
/// (A task-local would do the same, but binding one cost about a tenth of `/health`'s throughput.)
final class RequestNote: Sendable {
    private let state = Mutex<String?>(nil)

    /// `user/role` of the authenticated caller, nil until (or unless) authentication succeeded.
    var principal: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
