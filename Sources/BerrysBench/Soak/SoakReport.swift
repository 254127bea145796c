import Foundation

/// The soak's output: a progress line per sample, the samples as a Markdown table, and each
/// series' shape and growth verdict.
enum SoakReport {
    static let roles = ["run", "worker", "project"]

    static func mebibytes(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_048_576) }

    /// "soak: 3.0/30 min, 10800 events, run 45.1 MB, …" (stderr, once per sample).
    static func progress(_ sample: SoakSample, of minutes: Double) -> String {
        let processes = roles.map { "\($0) \(mebibytes(sample.resident[$0] ?? 0)) MB" }.joined(separator: ", ")
        return String(format: "soak: %.1f/%.0f min, ", sample.minutes, minutes)
            + "\(sample.events) events, \(processes), Redis \(mebibytes(sample.redisBytes)) MB, PostgreSQL \(mebibytes(sample.postgresBytes)) MB"
    }

    static func table(_ samples: [SoakSample]) -> [String] {
        var lines = ["| minute | events | run RSS MB | worker RSS MB | project RSS MB | Redis MB | PostgreSQL MB |",
                     "|---:|---:|---:|---:|---:|---:|---:|"]
        for sample in samples {
            let resident = roles.map { mebibytes(sample.resident[$0] ?? 0) }.joined(separator: " | ")
            lines.append(String(format: "| %.1f ", sample.minutes)
                         + "| \(sample.events) | \(resident) | \(mebibytes(sample.redisBytes)) | \(mebibytes(sample.postgresBytes)) |")
        }
        return lines
    }

    /// One line per process: its shape, the levels and the verdict.
    static func growth(_ samples: [SoakSample]) -> [(line: String, unbounded: Bool)] {
        roles.map { role in
            let series = samples.map { MemoryGrowth.Sample(minutes: $0.minutes, bytes: $0.resident[role] ?? 0) }
            let growth = MemoryGrowth(samples: series)
            let verdict = growth.tooShort ? "too short to judge" : growth.isUnbounded
                ? "GROWS: +\(mebibytes(growth.rise)) MB after warm-up, over the \(mebibytes(growth.allowance)) MB allowed"
                : "flat (\(growth.rise >= 0 ? "+" : "")\(mebibytes(growth.rise)) MB after warm-up, \(mebibytes(growth.allowance)) MB allowed)"
            let line = "\(role) RSS \(MemoryGrowth.sparkline(series.map(\.bytes))) \(mebibytes(growth.warm)) → \(mebibytes(growth.last)) MB: \(verdict)"
            return (line, growth.isUnbounded)
        }
    }

    /// Redis and PostgreSQL grow with the log by design (Redis keeps every entry until the tiered
    /// log lands): their cost per event, first half against second half, shows whether that
    /// cost stays constant.
    static func storage(_ samples: [SoakSample]) -> [String] {
        guard let first = samples.first, let last = samples.last, last.events > first.events else { return [] }
        let middle = samples[samples.count / 2]
        func perEvent(_ bytes: KeyPath<SoakSample, Double>, _ from: SoakSample, _ to: SoakSample) -> String {
            guard to.events > from.events else { return "–" }
            return String(format: "%.0f", (to[keyPath: bytes] - from[keyPath: bytes]) / Double(to.events - from.events))
        }
        return [("Redis", \SoakSample.redisBytes), ("PostgreSQL", \SoakSample.postgresBytes)].map { name, path in
            "\(name) \(MemoryGrowth.sparkline(samples.map { $0[keyPath: path] })) \(mebibytes(first[keyPath: path])) → \(mebibytes(last[keyPath: path])) MB: "
                + "\(perEvent(path, first, middle)) then \(perEvent(path, middle, last)) bytes per event (grows with the log by design)"
        }
    }
}
