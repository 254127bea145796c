import BerrysPlatform
import CommandSupport
import ArgumentParser
import EventLog
import Foundation
import Projections

extension LogCommand {
    struct Trim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trim each partition's Redis stream to the retention policy once, and show what holds trimming back.",
            discussion: """
            Nothing leaves Redis before the archive projection has stored it in PostgreSQL, nor while a consumer group \\
            still needs it (not yet delivered, or pending). berrys run and berrys project trim every 2 s on their own \\
            when BERRYS_RETENTION is set; this runs one round, e.g. from cron or to see why memory does not fall.
            """)

        @Option(help: "The policy for this round: all, entries:N or age:N[s|m|h|d] (default: BERRYS_RETENTION).")
        var retention: String?
        @Flag(help: "Show what would be trimmed and what holds it back, without trimming.") var dryRun = false

        func validate() throws {
            if let retention { _ = try RetentionPolicy(parsing: retention) }
        }

        func run() async throws {
            try await reportingFailures {
                let context = try Context(domain: .berrys)
                let log = try await context.openLog(create: false)
                let policy = try retention.map(RetentionPolicy.init(parsing:)) ?? log.configuration.retention
                let trimmer = LogTrimmer(log: log, catalog: ProjectionCatalog(pool: context.postgres(size: 2)), policy: policy)
                let reports = try await trimmer.round(dryRun: dryRun)
                let memory = try await log.redisUsedMemory()
                print("Retention: \(policy)\(policy == .keepAll ? " (nothing is trimmed; set BERRYS_RETENTION or --retention)" : "")"
                      + String(format: "; Redis memory in use: %.1f MiB", Double(memory) / 1_048_576))
                print([ "PARTITION", "ENTRIES", "OLDEST", "TRIMMED BELOW", dryRun ? "MAY GO" : "REMOVED", "HELD BY"].joined(separator: "\t"))
                for report in reports {
                    let mayGo = report.plan.cap.map { cap in "below \(cap)" + (report.plan.maximumEntries.map { ", at most \($0)" } ?? "") } ?? "-"
                    print(["\(report.partition)", "\(report.state.length)", report.state.firstEntry?.description ?? "-",
                           report.state.watermark == .zero ? "-" : report.state.watermark.description,
                           dryRun ? mayGo : "\(report.removed)", report.heldBy ?? "-"].joined(separator: "\t"))
                }
            }
        }
    }
}
