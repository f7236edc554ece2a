import Logging

/// The server's swift-log handler: the line `StreamLogHandler` writes, built as bytes and queued on
/// a `LogLineSink` instead of written on the logging thread.
///
/// A line reads `2026-11-25T03:05:39.123Z info crm.server: key=value … [Server] message`:
/// a UTC timestamp with milliseconds (no time-zone lookup, which glibc's `localtime` does under
/// a process-wide lock on every call), the level, the label, the metadata sorted by key, the
/// source module and the message. Lines at `error` and above are flushed before `log` returns.
public struct LogLineHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogLineSink

    /// A handler for the logger called `label`, writing to `sink`.
    public init(label: String, sink: LogLineSink = .standardError, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { $1 }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { $1 }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let line = LogLineFormat.line(level: event.level, label: label, metadata: merged, source: event.source,
                                      message: event.message.description)
        sink.append(line)
        if event.level >= .error { sink.flush() }
    }
}
