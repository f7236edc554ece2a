import Foundation

/// Progress of a long command on standard error: one line redrawn in place on a terminal (with
/// rate and ETA), plain lines every `plainInterval` seconds otherwise (logs, CI) — the first one
/// only once that interval has passed, so a short run prints no progress at all.
struct ProgressLine {
    let label: String
    let unit: String
    /// Counts are bytes: shown as KiB/MiB/GiB and a byte rate instead of "N <unit>".
    let countsBytes: Bool
    let isTerminal = isatty(STDERR_FILENO) == 1
    let plainInterval: TimeInterval = 5
    let started = Date()
    private var lastPrint: Date
    private var printed = false

    init(label: String, unit: String, countsBytes: Bool = false) {
        self.label = label
        self.unit = unit
        self.countsBytes = countsBytes
        lastPrint = isTerminal ? .distantPast : started
    }

    /// Reports `done` units so far and the completed fraction (0…1), if known.
    mutating func update(done: Int, fraction: Double?) {
        let now = Date()
        let interval = isTerminal ? 0.1 : plainInterval
        guard now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        printed = true
        emit(text(done: done, fraction: fraction, now: now), final: false)
    }

    /// Prints the final line.
    func finish(done: Int, extra: String = "") {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        emit("\(label): \(amount(done)) in \(String(format: "%.1f", elapsed)) s (\(rate(Double(done) / elapsed)))\(extra)", final: true)
    }

    /// Ends without a final line of its own (the command prints its result elsewhere): erases the
    /// line on a terminal; nothing otherwise.
    func clear() {
        if isTerminal && printed { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func text(done: Int, fraction: Double?, now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let perSecond = Double(done) / elapsed
        var line = "\(label): \(amount(done)), \(rate(perSecond))"
        if let fraction, fraction > 0 {
            let clamped = min(fraction, 1)
            let width = 24
            let filled = Int(clamped * Double(width))
            let eta = elapsed / clamped - elapsed
            line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(Int(clamped * 100))%  \(amount(done))  \(rate(perSecond))  ETA \(Self.duration(eta))"
        }
        return line
    }

    private func amount(_ done: Int) -> String {
        countsBytes ? ByteCount.text(UInt64(max(done, 0))) : "\(done) \(unit)"
    }

    private func rate(_ perSecond: Double) -> String {
        countsBytes ? "\(ByteCount.text(UInt64(max(perSecond, 0))))/s" : "\(Int(perSecond)) \(unit)/s"
    }

    private func emit(_ line: String, final: Bool) {
        let text = isTerminal ? "\r\u{1B}[2K" + line + (final ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
