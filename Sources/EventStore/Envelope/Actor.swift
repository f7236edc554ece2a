/// Who caused an event: the authenticated principal and the role it acted in.
///
/// Taken from the authenticated request by the layer that appends, never from a command body, so
/// that the audit trail cannot be forged by a client.
public struct Actor: Sendable, Hashable, Codable {
    /// The principal's stable id (a user name, a service account, `system`).
    public var id: String
    /// The role under which the principal acted (`admin`, `manager`, `agent`, `auditor`, `integrator`, `system`).
    public var role: String

    public init(id: String, role: String) {
        self.id = id
        self.role = role
    }

    /// The engine itself (imports, scheduled jobs, checkpoints).
    public static let system = Actor(id: "system", role: "system")
}

/// Where a command came from: what an auditor needs to say "from which client and address".
public struct Source: Sendable, Hashable, Codable {
    /// The client's network address as the server saw it (`203.0.113.7`), or `local` for the CLI.
    public var clientAddress: String
    /// The client's `User-Agent`, or the CLI's name and version.
    public var userAgent: String
    /// The host or device name that served or issued the command.
    public var host: String

    public init(clientAddress: String, userAgent: String, host: String) {
        self.clientAddress = clientAddress
        self.userAgent = userAgent
        self.host = host
    }

    /// A command issued on this machine by the command-line tool.
    public static func local(tool: String = "crm") -> Source {
        Source(clientAddress: "local", userAgent: tool, host: hostName())
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
