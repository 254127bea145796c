import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysDomain
import EventLog
import Foundation
import PostgresClient
import Projections
import RedisClient

/// `berrys-bench retention`: a bounded log under load. Publishes N events with
/// `BERRYS_RETENTION=entries:K` while the archive and platform projectors and the trimmer run
/// in this process, then checks what the tiered log promises: Redis memory levels off, the
/// archive holds every event, and a rebuild from the tiered log equals the live build.
struct RetentionBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Publish N events under entries:K retention: Redis memory over time, the archive's count, a rebuild from the tiered log against the live build, and tiered read rates.",
        discussion: "Exit 1 when the archive misses an event, the rebuild differs, or Redis keeps more than the retention allows once the trimmer has caught up.")

    @Option(help: "Events to publish.") var events: Int = 2_000_000
    @Option(help: "Entries each partition keeps in Redis (entries:K).") var keep: Int = 100_000
    @Option(help: "Seconds between memory samples.") var sampleSeconds: Double = 1
    @Option(help: "The de-duplication window in milliseconds: each event id's record stays in Redis this long, whatever the retention.")
    var dedupWindowMs: Int = 60_000

    func validate() throws {
        guard events >= 1000, keep >= 1 else { throw ValidationError("--events must be at least 1000 and --keep at least 1") }
    }

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys, redisPoolSize: 12)
            var settings = context.settings.log
            settings.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
            settings.retention = .entries(keep)
            settings.deduplicationWindow = .milliseconds(dedupWindowMs)
            let log = try await EventLog.open(redis: context.redis, configuration: settings, registry: context.registry,
                                              conventions: BerrysConventions(), defaultSource: "berrys-bench")
            let databases = BenchDatabases(adminURL: context.settings.databaseURL)
            let report = try await databases.cleaningUp(namespace: settings.namespace, redis: context.redis) {
                let run = RetentionRun(log: log, pool: try await databases.make(), redis: context.redis,
                                       definitions: try context.definitions(), keep: keep)
                return try await run.measure(events: events, sampleSeconds: sampleSeconds)
            }
            print(report.text + "\n  de-dup window: \(dedupWindowMs) ms")
            guard report.failures.isEmpty else { throw BenchError(report.failures.joined(separator: "; ")) }
        }
    }
}

