import Foundation

/// Company-wide settings decisions depend on; loaded from configuration, passed in the context.
public struct DomainConfiguration: Sendable, Equatable, Codable {
    /// Service-level targets for one case priority, in minutes.
    public struct ServiceLevel: Sendable, Equatable, Codable {
        public var firstResponseMinutes: Int
        public var resolutionMinutes: Int

        public init(firstResponseMinutes: Int, resolutionMinutes: Int) {
            self.firstResponseMinutes = firstResponseMinutes
            self.resolutionMinutes = resolutionMinutes
        }
    }

    /// SLA targets by case priority (`urgent`, `high`, `normal`, `low`).
    public var serviceLevels: [CasePriority: ServiceLevel]
    /// The currency amounts default to when a command gives none.
    public var defaultCurrency: String

    public init(serviceLevels: [CasePriority: ServiceLevel], defaultCurrency: String) {
        self.serviceLevels = serviceLevels
        self.defaultCurrency = defaultCurrency
    }

    /// Targets typical of a B2B service desk.
    public static let standard = DomainConfiguration(
        serviceLevels: [
            .urgent: ServiceLevel(firstResponseMinutes: 30, resolutionMinutes: 4 * 60),
            .high: ServiceLevel(firstResponseMinutes: 2 * 60, resolutionMinutes: 24 * 60),
            .normal: ServiceLevel(firstResponseMinutes: 8 * 60, resolutionMinutes: 3 * 24 * 60),
            .low: ServiceLevel(firstResponseMinutes: 24 * 60, resolutionMinutes: 10 * 24 * 60),
        ],
        defaultCurrency: "EUR")
}

/// How urgent a service case is; it selects the SLA targets.
public enum CasePriority: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case urgent, high, normal, low
}
