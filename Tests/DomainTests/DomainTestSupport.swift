import Domain
import EventStore
import Foundation

/// A fresh store and handler in a temporary directory, removed when the value goes away.
final class DomainFixture {
    let path = NSTemporaryDirectory() + "crm-domain-test-" + UUID().uuidString
    let store: EventStore
    let handler: CommandHandler
    let customers: CustomerService
    let metadata = AppendMetadata(actor: Actor(id: "mia", role: "manager"), source: Source(clientAddress: "192.0.2.10", userAgent: "tests", host: "test"))
    /// Business time used by `context`; tests move it forward explicitly.
    var now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// The data keys when the fixture seals personal data (`protected: true`); the master key
    /// file lives outside the data directory, as in production.
    let keyRing: SubjectKeyRing?

    init(protected: Bool = false) throws {
        store = try EventStore(directory: path, configuration: .init(initialMapSize: 16 << 20))
        keyRing = protected ? try SubjectKeyRing(dataDirectory: path, masterKeyPath: path + "-secrets/master.key", createMasterKey: true) : nil
        handler = CommandHandler(store: store, registry: keyRing.map { EventRegistry.domain.protecting(with: $0) } ?? .domain)
        customers = CustomerService(handler: handler)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + "-secrets")
    }

    var context: DecisionContext { DecisionContext(now: now) }

    /// Executes a command with the fixture's context and metadata.
    @discardableResult
    func run<C: DomainCommand>(_ command: C) async throws -> CommandHandler.Outcome {
        try await handler.execute(command, context: context, metadata: metadata)
    }

    /// Registers a plain person customer.
    @discardableResult
    func register(_ id: String, name: String? = nil, email: String? = nil, phone: String? = nil) async throws -> CommandHandler.Outcome {
        try await customers.register(RegisterCustomer(customerId: id, kind: .person, name: name ?? "Customer \(id)", email: email, phone: phone, channel: .webForm), context: context, metadata: metadata)
    }

    /// The log's head position: proof that a refused command wrote nothing.
    var head: UInt64 { (try? store.head().position) ?? 0 }

    /// Event type names of a stream, in order.
    func types(of stream: String) throws -> [String] {
        try store.readStream(stream).map(\.type)
    }
}
