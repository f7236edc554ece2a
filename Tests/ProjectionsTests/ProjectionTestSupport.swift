import Domain
import EventStore
import Foundation
import Projections

/// A simulated company imported into a fresh store in a temporary directory (removed when the
/// value goes away), with helpers to build projections over it and to recompute answers by brute
/// force from the raw events.
final class CompanyLog: @unchecked Sendable {
    // @unchecked: every stored property is a `let` of a Sendable type or a path string; the class
    // only exists so `deinit` can remove the directory.
    let path = NSTemporaryDirectory() + "crm-projections-test-" + UUID().uuidString
    let store: EventStore
    let handler: CommandHandler
    let customers: CustomerService

    /// Imports `customers` simulated customers over `years` years.
    init(customers: Int = 40, years: Int = 2, seed: UInt64 = 11) async throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        store = try EventStore(directory: path + "/data", configuration: .init(initialMapSize: 64 << 20))
        handler = CommandHandler(store: store)
        self.customers = CustomerService(handler: handler)
        try await Self.importCompany(customers: customers, years: years, seed: seed, into: self.customers, scratch: path)
    }

    /// Simulates a company and imports its commands through `service`.
    static func importCompany(customers: Int, years: Int, seed: UInt64, into service: CustomerService, scratch: String) async throws {
        let file = scratch + "/commands-\(seed).ndjson"
        var data = Data()
        _ = try CompanySimulator().generateLines(SimulationSettings(customers: customers, years: years, seed: seed)) { data.append($0) }
        try data.write(to: URL(fileURLWithPath: file))
        _ = try await CommandImporter(customers: service).importFile(at: file)
        try? FileManager.default.removeItem(atPath: file)
    }

    /// An empty store (for hand-written event sequences).
    init(empty: Void) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        store = try EventStore(directory: path + "/data", configuration: .init(initialMapSize: 16 << 20))
        handler = CommandHandler(store: store)
        customers = CustomerService(handler: handler)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A projection engine over this log in a directory of its own.
    func engine(_ projectors: [any Projector], name: String = UUID().uuidString, batchSize: Int = 500) throws -> ProjectionEngine {
        try ProjectionEngine(store: store, projectors: projectors, directory: path + "/projections-" + name,
                             configuration: .init(batchSize: batchSize))
    }

    /// Every event with its decoded payload, up to `position` (the whole log by default): the
    /// input of brute-force recomputations.
    func events(through position: UInt64 = .max) throws -> [ProjectedEvent] {
        var out: [ProjectedEvent] = []
        _ = try store.scanEvents { event in
            guard event.position <= position else { return false }
            let payload = EventRegistry.domain.knows(event.type) ? try EventRegistry.domain.decode(event) : nil
            out.append(ProjectedEvent(envelope: event, payload: payload))
            return true
        }
        return out
    }

    var head: UInt64 { store.headWatch.head }
}
