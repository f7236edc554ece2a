/// Where and how the HTTP API listens.
public struct ServerConfiguration: Sendable {
    /// The interface to bind; `127.0.0.1` keeps the API on this machine.
    public var host: String
    /// The TCP port; 0 lets the system choose one.
    public var port: Int
    /// Sent in the `Server` header of every response.
    public var serverName: String

    /// The defaults listen on 127.0.0.1:8080.
    public init(host: String = "127.0.0.1", port: Int = 8080, serverName: String = "crm") {
        self.host = host
        self.port = port
        self.serverName = serverName
    }
}
