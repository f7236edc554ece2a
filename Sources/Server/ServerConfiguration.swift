/// Where and how the HTTP API listens, and the limits it enforces.
///
/// `crm serve` fills it from flags and environment variables (README, "Configuration"); tests
/// build it directly. Every field has a default that is safe on a developer's machine.
public struct ServerConfiguration: Sendable {
    /// The interface to bind; `127.0.0.1` keeps the API on this machine.
    public var host: String
    /// The TCP port; 0 lets the system choose one.
    public var port: Int
    /// Sent in the `Server` header of every response.
    public var serverName: String
    /// The largest request body accepted, in bytes; a larger one is refused with 413
    /// `payload-too-large` before it is read (by `Content-Length`) or as soon as it grows past it.
    public var maxBodyBytes: Int
    /// Requests served at once; one more is refused with 429 `too-many-requests` and `Retry-After`
    /// instead of queueing without bound. `/health` and `/ready` are never refused.
    public var maxConcurrentRequests: Int
    /// The seconds a refused client is told to wait (`Retry-After`).
    public var retryAfterSeconds: Int
    /// How far behind the log a projector may be for `GET /ready` to answer 200.
    public var readiness: ReadinessBound
    /// The certificate and key to serve HTTPS with; plain HTTP when nil.
    public var tls: TLSFiles?

    /// The defaults listen on 127.0.0.1:8080 over plain HTTP, accept bodies up to 1 MiB and 256
    /// requests at once.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, serverName: String = "crm",
        maxBodyBytes: Int = 1 << 20, maxConcurrentRequests: Int = 256, retryAfterSeconds: Int = 1,
        readiness: ReadinessBound = ReadinessBound(), tls: TLSFiles? = nil
    ) {
        self.host = host
        self.port = port
        self.serverName = serverName
        self.maxBodyBytes = maxBodyBytes
        self.maxConcurrentRequests = maxConcurrentRequests
        self.retryAfterSeconds = retryAfterSeconds
        self.readiness = readiness
        self.tls = tls
    }
}
