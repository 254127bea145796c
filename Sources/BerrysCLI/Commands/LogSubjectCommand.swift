import BerrysPlatform
import CommandSupport
import ArgumentParser
import EventLog
import Foundation
import Projections

extension LogCommand {
    struct Subject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one subject's events in sequence order (CloudEvents JSON lines), consistent with the log.",
            discussion: """
            Reads the archive (read.events) once it has reached the subject's latest event as recorded in Redis, so an \\
            event whose publish was acknowledged is always printed. Exit 69 when the archive does not get there within \\
            --timeout-ms (is the projector running?), 1 when the subject has no events.
            """)

        @Argument(help: "The subject (an entity id).") var subject: String
        @Option(help: "The subject's partition key, when its events carry one other than the subject.") var partitionKey: String?
        @Option(help: "The first sequence to print.") var fromSequence: Int = 1
        @Option(help: "The history as of this sequence: later events are left out.") var atSequence: Int?
        @Option(help: "The history as of this time (RFC 3339): later events are left out.") var atTime: String?
        @Option(help: "How long to wait for the archive, in milliseconds (default: BERRYS_CONSISTENCY_TIMEOUT_MS).") var timeoutMs: Int?
        @Flag(help: "Print the stored schema version instead of upcasting.") var raw = false

        func validate() throws {
            if fromSequence < 1 { throw ValidationError("--from-sequence must be at least 1") }
            if let atSequence, atSequence < 1 { throw ValidationError("--at-sequence must be at least 1") }
            if let atTime, ISO8601DateFormatter().date(from: atTime) == nil {
                let fractional = ISO8601DateFormatter()
                fractional.formatOptions.insert(.withFractionalSeconds)
                if fractional.date(from: atTime) == nil { throw ValidationError("--at-time must be an RFC 3339 timestamp such as 2026-12-05T10:00:00Z") }
            }
            if let timeoutMs, timeoutMs < 0 { throw ValidationError("--timeout-ms must be >= 0") }
        }

        func run() async throws {
            try await reportingFailures {
                let context = try Context(domain: .berrys)
                let log = try await context.openLog(create: false)
                let pool = context.postgres(size: 2)
                let waiter = ProjectionWaiter(conninfo: context.settings.databaseURL, clock: context.clock)
                let history = SubjectHistory(log: log) { try await waiter.wait(projection: LogTrimmer.archiveProjection, reached: $0, timeout: $1) }
                let timeout = timeoutMs.map { Duration.milliseconds($0) } ?? context.settings.api.consistencyTimeout
                guard let head = try await history.consistentHead(subject: subject, partitionKey: partitionKey, timeout: timeout) else {
                    throw EventLogError(.invalidEnvelope, field: "subject", "subject \(subject) has no events in the log"
                                        + (partitionKey == nil ? " (give --partition-key when its events carry one)" : ""))
                }
                let through = min(head, atSequence ?? head)
                let archive = ArchiveSource(pool: pool)
                var next = fromSequence
                while next <= through {
                    let events = try await archive.subjectEvents(subject: subject, from: next, through: through, atTime: atTime, limit: 1000)
                    for event in events { print((raw ? event : try log.registry.upcast(event)).cloudEvent.serialized) }
                    fflush(nil)  // nil flushes every stream; `stdout` is not concurrency-safe to name
                    guard events.count == 1000, let last = events.last?.sequence else { break }
                    next = last + 1
                }
            }
        }
    }
}
