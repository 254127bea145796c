import Foundation

/// The fault run's table (Markdown, as the README shows it) and each scenario's findings.
enum FaultReport {
    static let header = """
        | scenario | faults | events | acked | lost | doubled | dead-lettered on purpose | projections = rebuild | recovery median / max | verdict |
        |---|---:|---:|---:|---:|---:|---:|---|---|---|
        """

    static func row(_ outcome: FaultRunner.Outcome) -> String {
        let name = outcome.scenario.rawValue
        if let skipped = outcome.skipped { return "| \(name) | – | – | – | – | – | – | – | – | skipped: \(skipped) |" }
        let verdict = outcome.passed ? "pass" : "FAIL (\(outcome.findings.count + outcome.audit.findings.count) findings)"
        return "| \(name) | \(outcome.faults) | \(outcome.audit.events) | \(outcome.acked) | \(outcome.audit.lost) | \(outcome.audit.doubled) "
            + "| \(outcome.audit.deadLetteredOnPurpose) | \(outcome.rebuildMatches ? "yes" : "no") | \(recovery(outcome.recoveries)) | \(verdict) |"
    }

    /// "0.41 / 3.2 s", or "–" without timed recoveries.
    static func recovery(_ seconds: [Double]) -> String {
        guard !seconds.isEmpty else { return "–" }
        let sorted = seconds.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return String(format: "%.2f / %.2f s", median, sorted.last!)
    }

    /// What went wrong in a scenario, and the refusals the producer saw (retried until acknowledged).
    static func details(_ outcome: FaultRunner.Outcome) -> [String] {
        var lines: [String] = []
        if !outcome.refusals.isEmpty {
            let refusals = outcome.refusals.sorted { $0.value > $1.value }.map { "\($0.value)× \($0.key)" }
            lines.append("\(outcome.scenario.rawValue): producer retried \(refusals.joined(separator: "; "))")
        }
        for finding in outcome.findings + outcome.audit.findings { lines.append("\(outcome.scenario.rawValue): \(finding)") }
        if !outcome.passed { lines.append("\(outcome.scenario.rawValue): processes' output in \(outcome.logPath)") }
        return lines
    }
}
