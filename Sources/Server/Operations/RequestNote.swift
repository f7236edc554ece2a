import Synchronization

/// What inner middleware learns about a request that the outer request log needs: who called.
///
/// `RequestLogMiddleware` wraps the whole chain, before the bearer token is checked, and request
/// contexts are values, so a principal set further in never reaches it. It binds a note to the
/// request's task instead (`current`), which `PrincipalNoteMiddleware` fills after
/// authentication. The note is shared by reference between the two, hence the lock.
final class RequestNote: Sendable {
    /// The note of the request the current task serves; nil outside `RequestLogMiddleware`.
    @TaskLocal static var current: RequestNote?

    private let state = Mutex<String?>(nil)

    /// `user/role` of the authenticated caller, nil until (or unless) authentication succeeded.
    var principal: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
