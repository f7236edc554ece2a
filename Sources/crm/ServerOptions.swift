import ArgumentParser
import Foundation
import Logging
import Server

/// The `crm serve` options that shape the HTTP server: address, limits, readiness, TLS and log
/// level. Each flag falls back to an environment variable, then to a default (README,
/// "Configuration").
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The address to listen on (default: $CRM_HOST, else 127.0.0.1).", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("The port to listen on (default: $CRM_PORT, else 8080).", valueName: "port"))
    var port: Int?

    @Option(name: .customLong("max-body-bytes"),
            help: ArgumentHelp("The largest request body accepted; larger ones get 413 (default: $CRM_MAX_BODY_BYTES, else 1048576).",
                               valueName: "bytes"))
    var maxBodyBytes: Int?

    @Option(name: .customLong("max-concurrent-requests"),
            help: ArgumentHelp("Requests served at once; more get 429 with Retry-After (default: $CRM_MAX_CONCURRENT_REQUESTS, else 256).",
                               valueName: "n"))
    var maxConcurrentRequests: Int?

    @Option(name: .customLong("ready-max-lag-events"),
            help: ArgumentHelp("Events a projector may trail the log by for /ready to answer 200 (default: $CRM_READY_MAX_LAG_EVENTS, else 1000).",
                               valueName: "n"))
    var readyMaxLagEvents: UInt64?

    @Option(name: .customLong("ready-max-lag-seconds"),
            help: ArgumentHelp("Seconds a projector may trail the log by for /ready to answer 200 (default: $CRM_READY_MAX_LAG_SECONDS, else 30).",
                               valueName: "s"))
    var readyMaxLagSeconds: Double?

    @Option(name: .customLong("tls-certificate"),
            help: ArgumentHelp("PEM certificate chain to serve HTTPS with, together with --tls-key (default: $CRM_TLS_CERTIFICATE).",
                               valueName: "file"))
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"),
            help: ArgumentHelp("PEM private key of the certificate (default: $CRM_TLS_KEY).", valueName: "file"))
    var tlsKey: String?

    @Option(name: .customLong("log-level"),
            help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (default: $LOG_LEVEL, else info).", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        _ = try configuration()
        _ = try level()
    }

    /// The server configuration from the flags, the environment and the defaults.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        let defaults = ServerConfiguration()
        let setting = Setting(environment: environment)
        let host = try setting.value(host, "host", "CRM_HOST", default: defaults.host) { $0.isEmpty ? nil : $0 }
        let port = try setting.value(port, "port", "CRM_PORT", default: defaults.port) { Int($0) }
        guard (0...65535).contains(port) else { throw ValidationError("The port must be from 0 to 65535, not \(port).") }
        let body = try setting.value(maxBodyBytes, "max-body-bytes", "CRM_MAX_BODY_BYTES", default: defaults.maxBodyBytes) { Int($0) }
        guard body > 0 else { throw ValidationError("The body limit must be a positive number of bytes, not \(body).") }
        let concurrent = try setting.value(maxConcurrentRequests, "max-concurrent-requests", "CRM_MAX_CONCURRENT_REQUESTS",
                                           default: defaults.maxConcurrentRequests) { Int($0) }
        guard concurrent > 0 else { throw ValidationError("The concurrency limit must be at least 1, not \(concurrent).") }
        let lagEvents = try setting.value(readyMaxLagEvents, "ready-max-lag-events", "CRM_READY_MAX_LAG_EVENTS",
                                          default: defaults.readiness.maxLagEvents) { UInt64($0) }
        let lagSeconds = try setting.value(readyMaxLagSeconds, "ready-max-lag-seconds", "CRM_READY_MAX_LAG_SECONDS",
                                           default: defaults.readiness.maxLagSeconds) { Double($0) }
        guard lagSeconds >= 0, lagSeconds.isFinite else { throw ValidationError("The readiness lag in seconds must be 0 or more.") }
        let certificate = setting.optional(tlsCertificate, "CRM_TLS_CERTIFICATE")
        let key = setting.optional(tlsKey, "CRM_TLS_KEY")
        var tls: TLSFiles?
        switch (certificate, key) {
        case (let certificate?, let key?): tls = TLSFiles(certificatePath: certificate, keyPath: key)
        case (nil, nil): tls = nil
        default: throw ValidationError("TLS needs both --tls-certificate and --tls-key (or CRM_TLS_CERTIFICATE and CRM_TLS_KEY).")
        }
        return ServerConfiguration(host: host, port: port, maxBodyBytes: body, maxConcurrentRequests: concurrent,
                                   readiness: ReadinessBound(maxLagEvents: lagEvents, maxLagSeconds: lagSeconds), tls: tls)
    }

    /// The log level from `--log-level`, else `LOG_LEVEL`, else `info`.
    func level(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Logger.Level {
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
                throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical, not '\(logLevel)'.")
            }
            return level
        }
        return try Setting(environment: environment).value(nil, "log-level", "LOG_LEVEL", default: .info) {
            Logger.Level(rawValue: $0.lowercased())
        }
    }

    /// One setting: the flag, else a non-empty environment variable (which must parse), else the default.
    private struct Setting {
        let environment: [String: String]

        func value<T>(_ flag: T?, _ name: String, _ variable: String, default fallback: T, parse: (String) -> T?) throws -> T {
            if let flag { return flag }
            guard let text = environment[variable], !text.isEmpty else { return fallback }
            guard let value = parse(text) else { throw ValidationError("\(variable) has an invalid value '\(text)' (see --\(name)).") }
            return value
        }

        func optional(_ flag: String?, _ variable: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            return environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
    }
}
