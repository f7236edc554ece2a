import EventStore
import Foundation

/// How `GET /v1/audit/export` writes events: one JSON object per line, or CSV.
enum AuditExportFormat: String, Sendable, CaseIterable {
    /// Newline-delimited JSON: each line the event as `/v1/events/{position}` gives it, except
    /// `data`, shown as `ExportPresentation` says (personal values opened, or pseudonymised).
    case ndjson
    /// RFC 4180 CSV with a header row (`columns`), CRLF line ends, the envelope's fields only.
    case csv

    /// The CSV columns, in order.
    static let columns = ["position", "recordedAt", "stream", "streamVersion", "type", "actor", "role", "clientAddress",
                          "userAgent", "host", "reason", "eventId", "hash"]

    /// `format` from the query: `ndjson` (the default) or `csv`.
    init(_ text: String?) throws(APIError) {
        guard let text else { self = .ndjson; return }
        guard let format = Self(rawValue: text) else {
            throw .invalidParameter("format", "format must be 'ndjson' or 'csv', got '\(text)'")
        }
        self = format
    }

    /// The media type of the export.
    var contentType: String {
        switch self {
        case .ndjson: "application/x-ndjson"
        case .csv: "text/csv; charset=utf-8; header=present"
        }
    }

    /// What the export starts with: the header row for CSV, nothing for NDJSON.
    var preamble: [UInt8] {
        switch self {
        case .ndjson: []
        case .csv: CSVRow.encode(Self.columns)
        }
    }

    /// Appends `event` as one line (NDJSON, its data as `presentation` shows it) or one record
    /// (CSV, the envelope only) to `out`.
    func append(_ event: RecordedEvent, presentation: ExportPresentation? = nil, to out: inout [UInt8]) {
        switch self {
        case .ndjson:
            (presentation?.present(event) ?? event).appendJSON(to: &out)
            out.append(UInt8(ascii: "\n"))
        case .csv:
            out.append(contentsOf: CSVRow.encode([
                String(event.position), RecordedEvent.iso8601(milliseconds: event.recordedAt), event.stream,
                String(event.streamVersion), event.type, event.actor.id, event.actor.role, event.source.clientAddress,
                event.source.userAgent, event.source.host, event.reason ?? "", event.id.uuidString.lowercased(),
                event.hash.description,
            ]))
        }
    }
}
