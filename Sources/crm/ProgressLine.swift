import Foundation

/// Progress of a long command on standard error: one line redrawn in place on a terminal (with
/// rate and ETA), plain lines at most every `plainInterval` seconds otherwise (logs, CI).
struct ProgressLine {
    let label: String
    let unit: String
    let isTerminal = isatty(STDERR_FILENO) == 1
    let plainInterval: TimeInterval = 5
    let started = Date()
    private var lastPrint = Date.distantPast

    init(label: String, unit: String) {
        self.label = label
        self.unit = unit
    }

    /// Reports `done` units so far and the completed fraction (0…1), if known.
    mutating func update(done: Int, fraction: Double?) {
        let now = Date()
        let interval = isTerminal ? 0.1 : plainInterval
        guard now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        emit(text(done: done, fraction: fraction, now: now), final: false)
    }

    /// Prints the final line.
    func finish(done: Int, extra: String = "") {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        emit("\(label): \(done) \(unit) in \(String(format: "%.1f", elapsed)) s (\(Int(Double(done) / elapsed)) \(unit)/s)\(extra)", final: true)
    }

    private func text(done: Int, fraction: Double?, now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        var line = "\(label): \(done) \(unit), \(Int(rate)) \(unit)/s"
        if let fraction, fraction > 0 {
            let clamped = min(fraction, 1)
            let width = 24
            let filled = Int(clamped * Double(width))
            let eta = elapsed / clamped - elapsed
            line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(Int(clamped * 100))%  \(done) \(unit)  \(Int(rate)) \(unit)/s  ETA \(Self.duration(eta))"
        }
        return line
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
