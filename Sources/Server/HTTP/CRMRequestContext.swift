import EventStore
import Foundation
import Hummingbird
import NIOCore

/// The request context of the CRM API: Hummingbird's core storage plus who is calling and from
/// where.
///
/// `principal` is set by `AuthenticationMiddleware` from the bearer token and is nil only on
/// public routes; `remoteAddress` comes from the connection and `userAgent` from the request.
/// Handlers that append take the actor and source of events from here (`appendMetadata`), never
/// from a request body, so a client cannot write in another's name.
struct CRMRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil until authentication and on public routes.
    var principal: Principal?
    /// The peer of the TCP connection (no proxy header is trusted); nil in router tests.
    let remoteAddress: SocketAddress?
    /// The request's `User-Agent`, set by `AuthenticationMiddleware`.
    var userAgent: String?
    /// What inner middleware tells the request log (`RequestLogMiddleware` sets it; a context is
    /// passed inward by value, so the log line reads the caller back through this reference).
    var note: RequestNote?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address as recorded on events: the peer's IP, or `unknown` without a socket.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The metadata of an append made for this request: the authenticated actor, the client's
    /// address and user agent, this host; nil when the request is not authenticated.
    func appendMetadata(reason: String? = nil, correlationId: UUID = UUID()) -> AppendMetadata? {
        guard let principal else { return nil }
        return AppendMetadata(
            actor: principal.actor,
            source: EventSource(clientAddress: clientAddress, userAgent: userAgent ?? "unknown", host: Self.host),
            correlationId: correlationId, reason: reason)
    }

    private static let host = ProcessInfo.processInfo.hostName
}

/// The event store's `Source`, which inside a `RequestContext` is shadowed by the protocol's
/// `Source` associated type (and `EventStore.Source` names the class, not the module).
private typealias EventSource = Source
