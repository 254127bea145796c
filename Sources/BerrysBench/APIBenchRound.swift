import CommandSupport
import Foundation

/// One round of `berrys-bench api`: the reads, and the static route's runs just before and after them.
struct APIBenchRound {
    var staticBefore: MeasuredRun
    var staticAfter: MeasuredRun
    var byID: MeasuredRun
    var listPage: MeasuredRun

    /// The framework's ceiling around the reads: the mean of the two static runs' rates.
    var ceiling: Double { (staticBefore.result.requestsPerSecond + staticAfter.result.requestsPerSecond) / 2 }

    /// The report's lines: medians over the runs of each route, with their range.
    /// - Parameters:
    ///   - statics: every static-route run, in order (one more than there are rounds).
    ///   - rounds: the rounds of reads.
    ///   - publish: the POST /v1/events run.
    static func report(statics: [MeasuredRun], rounds: [APIBenchRound], publish: MeasuredRun) -> [String] {
        [
            line("static route (/health/liveness):", statics),
            line("GET /v1/agents/{id}:            ", rounds.map(\.byID), ratios: rounds.map { $0.byID.result.requestsPerSecond / $0.ceiling }),
            line("GET /v1/agents?status&limit=50: ", rounds.map(\.listPage), ratios: rounds.map { $0.listPage.result.requestsPerSecond / $0.ceiling }),
            line("POST /v1/events (one each):     ", [publish]) + " (errors: \(publish.result.errors))",
            "(median over the runs, [lowest–highest] when more than one; × static: each read's rate against "
                + "the mean of the static runs just before and after it)",
        ]
    }

    private static func line(_ name: String, _ runs: [MeasuredRun], ratios: [Double]? = nil) -> String {
        let rate = Spread(runs.map(\.result.requestsPerSecond))
        let p50 = Spread(runs.map(\.result.p50))
        let p99 = Spread(runs.map(\.result.p99))
        let server = Spread(runs.map(\.serverMicroseconds))
        let postgres = runs.compactMap(\.postgresMicroseconds)
        var text = "\(name) \(rate.describe("%.0f", unit: " req/s")), p50 \(p50.describe("%.2f", unit: " ms", range: false)), "
            + "p99 \(p99.describe("%.2f", unit: " ms"))"
        if let ratios { text += " = \(Spread(ratios).describe("%.2f", unit: " × static"))" }
        text += "; CPU per request: \(server.describe("%.0f", unit: " µs", range: false)) server"
        if postgres.count == runs.count { text += " + \(Spread(postgres).describe("%.0f", unit: " µs", range: false)) PostgreSQL" }
        return text
    }
}

/// The median and range of a few measurements.
struct Spread {
    let median: Double
    let lowest: Double
    let highest: Double
    let count: Int

    init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        lowest = sorted.first ?? 0
        highest = sorted.last ?? 0
        if sorted.isEmpty {
            median = 0
        } else if sorted.count % 2 == 1 {
            median = sorted[sorted.count / 2]
        } else {
            median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
    }

    /// "4.88 ms [4.23–6.40]": the median, then the range when there is more than one value.
    func describe(_ format: String, unit: String, range: Bool = true) -> String {
        let median = String(format: format, self.median) + unit
        guard range, count > 1 else { return median }
        return median + " [\(String(format: format, lowest))–\(String(format: format, highest))]"
    }
}
