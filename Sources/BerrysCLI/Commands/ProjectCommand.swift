import BerrysPlatform
import CommandSupport
import ArgumentParser
import Logging
import Projections
import ServiceLifecycle

struct ProjectCommand: LongRunningCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Run the live projector: keep the read models in PostgreSQL up to date with the log (Ctrl-C or SIGTERM stops it).")

    @Option(name: .customLong("only"), parsing: .upToNextOption, help: "Only these projections (default: all).")
    var only: [String] = []
    @Flag(help: "When a projection's files changed without a version bump, register them as the next version (build it with berrys replay --rebuild-changed) instead of refusing to start.")
    var rebuildChanged = false
    @Option(help: "Seconds a partition lease lasts without renewal: processes running berrys project share the partitions, and a killed one's move after this.")
    var leaseSeconds: Double = 10

    func validate() throws {
        guard leaseSeconds >= 0.3 else { throw ValidationError("--lease-seconds must be at least 0.3") }
    }

    func run() async throws {
        let (only, rebuildChanged, leasing) = (only, rebuildChanged, ProjectorLeasing(leaseMilliseconds: Int(leaseSeconds * 1000)))
        try await reportingFailures { try await ServiceRun.run(loggerLabel: "berrys.projector") {
            let context = try Context(domain: .berrys, redisPoolSize: 16)
            let pool = context.postgres(size: 16)
            _ = try await pool.withConnection { try await Migrations.run(on: $0) }
            var definitions = try context.definitions(only: only)
            if rebuildChanged {
                let catalog = ProjectionCatalog(pool: pool)
                for index in definitions.indices { definitions[index] = try await catalog.versionForChangedFiles(definitions[index]) }
            }
            let log = try await context.openLog(create: true)
            let logger = Logger(label: "berrys.projector")
            logger.info("projecting \(definitions.map { "\($0.name) v\($0.version)" }.joined(separator: ", ")) over \(log.partitioner.partitions) partitions")
            return [Projector(log: log, pool: pool, definitions: definitions, logger: logger, leasing: leasing),
                    LogTrimmer(log: log, catalog: ProjectionCatalog(pool: pool), policy: log.configuration.retention)]
        } }
    }
}
