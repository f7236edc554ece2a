extension BenchmarkReport {
    /// The report as markdown tables, what `crm bench` prints and BENCHMARKS.md records: medians and
    /// ratios first, targets next, then every sample so the spread is visible.
    public var markdown: String {
        var lines: [String] = []
        let subjects = SubjectKind.allCases
        lines.append("Run \(machine.date): \(machine.processors) processors, \(machine.kernel); data on \(machine.filesystem); "
                     + "SQLite \(machine.sqliteVersion), \(machine.lmdbVersion).")
        lines.append("\(configuration.repetitions) repetition(s) of \(Format.decimal(configuration.secondsPerRun, 1)) s per scenario and subject "
                     + "(in \(configuration.slicesPerRun) slices taken in turn with the other subjects); "
                     + "payload \(payloadBytes) bytes of JSON; fsync probe median \(Format.decimal(fsyncMilliseconds.median, 2)) ms "
                     + "(per repetition: \(fsyncMilliseconds.samples.map { Format.decimal($0, 2) }.joined(separator: ", ")) ms); "
                     + "total \(Format.decimal(elapsedSeconds, 0)) s.")
        lines.append("")

        lines.append("### Appends (median events/s; ratios are medians of per-repetition ratios)")
        lines.append("")
        lines.append("| scenario | " + subjects.map(\.rawValue).joined(separator: " | ") + " | EventStore / bare | EventStore / SQLite |")
        lines.append("|---|" + subjects.map { _ in "---:" }.joined(separator: "|") + "|---:|---:|")
        for result in appends {
            let medians = subjects.map { result.throughput(of: $0).map { Format.grouped($0.eventsPerSecond.median) } ?? "–" }
            lines.append("| \(result.scenario.name) | " + medians.joined(separator: " | ")
                         + " | \(Format.ratio(result.eventStoreOverBare.median)) (\(Format.percent(result.eventStoreOverBare.median)))"
                         + " | \(Format.ratio(result.eventStoreOverSQLite.median)) |")
        }
        lines.append("")

        lines.append("### Scans (\(Format.grouped(Double(scans.first?.events ?? 0))) events, warm page cache; median events/s)")
        lines.append("")
        lines.append("| scan | median | min | max | per CPU second (median) |")
        lines.append("|---|---:|---:|---:|---:|")
        for scan in scans {
            let rates = scan.eventsPerSecond
            lines.append("| \(scan.kind.rawValue) | \(Format.grouped(rates.median)) | \(Format.grouped(rates.min)) | \(Format.grouped(rates.max)) | "
                         + "\(Format.grouped(scan.eventsPerCPUSecond.median)) |")
        }
        lines.append("")

        lines.append("### Targets")
        lines.append("")
        lines.append("| target | required | measured | met |")
        lines.append("|---|---:|---:|---|")
        for target in targets {
            let show = { (value: Double) in target.isRatio ? Format.ratio(value) : Format.grouped(value) + " events/s" }
            let verdict = target.met ? "yes" : "**no**, \(Format.percent(target.shortfall)) short"
            lines.append("| \(target.name) | \(show(target.required)) | \(show(target.measured)) | \(verdict) |")
        }
        lines.append("")

        lines.append("### Samples")
        lines.append("")
        lines.append("| scenario | subject | events/commit | CPU µs/event | bytes written/event | events/s per repetition |")
        lines.append("|---|---|---:|---:|---:|---|")
        for result in appends {
            for throughput in result.subjects {
                let written = throughput.bytesWrittenPerEvent.map(Format.grouped) ?? "–"
                lines.append("| \(result.scenario.name) | \(throughput.subject.rawValue) | \(Format.decimal(throughput.eventsPerCommit, 1)) | "
                             + "\(Format.decimal(throughput.cpuMicrosecondsPerEvent, 1)) | \(written) | "
                             + throughput.eventsPerSecond.samples.map(Format.grouped).joined(separator: ", ") + " |")
            }
            lines.append("| \(result.scenario.name) | EventStore / bare | | | | "
                         + result.eventStoreOverBare.samples.map(Format.ratio).joined(separator: ", ") + " |")
            lines.append("| \(result.scenario.name) | EventStore / SQLite | | | | "
                         + result.eventStoreOverSQLite.samples.map(Format.ratio).joined(separator: ", ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
