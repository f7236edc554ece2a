import EventStore
import Foundation
import Hummingbird

/// Typed access to a request's query parameters; every malformed value becomes a 400
/// `invalid-parameter` naming the parameter, never a crash or a silent default.
struct QueryParameters {
    /// The largest page a client may ask for.
    static let maxLimit = 1000
    /// Stream and actor ids are LMDB keys in the store; longer ones cannot exist.
    static let maxIdentifierBytes = 400

    private let values: Parameters

    init(_ request: Request) {
        values = request.uri.queryParameters
    }

    /// A log position or stream version: a non-negative integer.
    func position(_ name: String) throws(APIError) -> UInt64? {
        guard let text = values.get(name) else { return nil }
        guard let value = UInt64(text) else {
            throw .invalidParameter(name, "\(name) must be a non-negative integer, got '\(text)'")
        }
        return value
    }

    /// The page size, 1…1000.
    func limit(default defaultLimit: Int = 100) throws(APIError) -> Int {
        guard let text = values.get("limit") else { return defaultLimit }
        guard let value = Int(text), (1...Self.maxLimit).contains(value) else {
            throw .invalidParameter("limit", "limit must be an integer from 1 to \(Self.maxLimit), got '\(text)'")
        }
        return value
    }

    /// `forward` (the default) or `backward`.
    func direction() throws(APIError) -> ReadDirection {
        guard let text = values.get("direction") else { return .forward }
        guard let value = ReadDirection(rawValue: text) else {
            throw .invalidParameter("direction", "direction must be 'forward' or 'backward', got '\(text)'")
        }
        return value
    }

    /// An ISO-8601 date or date-time, as milliseconds since the epoch.
    func timestamp(_ name: String) throws(APIError) -> Int64? {
        guard let text = values.get(name) else { return nil }
        guard let value = ISO8601Timestamp.milliseconds(from: text) else {
            throw .invalidParameter(
                name, "\(name) must be an ISO-8601 date or date-time such as 2024-05-01 or 2024-05-01T09:30:00Z, got '\(text)'")
        }
        return value
    }

    /// A boolean: `true` or `false` (absent: `false`).
    func flag(_ name: String) throws(APIError) -> Bool {
        guard let text = values.get(name) else { return false }
        switch text {
        case "true": return true
        case "false": return false
        default: throw .invalidParameter(name, "\(name) must be 'true' or 'false', got '\(text)'")
        }
    }

    /// A comma-separated list of names (`types=a,b`); empty entries are not allowed.
    func list(_ name: String) throws(APIError) -> Set<String>? {
        guard let text = values.get(name) else { return nil }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.contains(where: \.isEmpty) else {
            throw .invalidParameter(name, "\(name) must be a comma-separated list of names without empty entries, got '\(text)'")
        }
        return Set(items)
    }

    /// A stream or actor id: non-empty and at most 400 bytes.
    func identifier(_ name: String) throws(APIError) -> String? {
        guard let text = values.get(name) else { return nil }
        return try Self.validIdentifier(text, name: name)
    }

    static func validIdentifier(_ text: String, name: String) throws(APIError) -> String {
        guard !text.isEmpty else { throw .invalidParameter(name, "\(name) must not be empty") }
        guard text.utf8.count <= maxIdentifierBytes else {
            throw .invalidParameter(name, "\(name) must be at most \(maxIdentifierBytes) bytes long")
        }
        return text
    }
}

extension RequestContext {
    /// A path parameter, percent-decoded and checked like a query identifier.
    func pathIdentifier(_ name: String) throws(APIError) -> String {
        guard let raw = parameters.get(name), let decoded = raw.removingPercentEncoding else {
            throw .invalidParameter(name, "\(name) is not validly percent-encoded")
        }
        return try QueryParameters.validIdentifier(decoded, name: name)
    }

    /// A path parameter holding a log position, 1 or more.
    func pathPosition(_ name: String) throws(APIError) -> UInt64 {
        let raw = parameters.get(name) ?? ""
        guard let value = UInt64(raw), value > 0 else {
            throw .invalidParameter(name, "\(name) must be a positive integer, got '\(raw)'")
        }
        return value
    }
}
