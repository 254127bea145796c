import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysWorkers
import Logging
import Projections
import QueryAPI
import ServiceLifecycle
import Workers

struct RunCommand: LongRunningCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run everything in one process: the HTTP API, the live projector and the consumer workers (Ctrl-C or SIGTERM stops them gracefully).",
        discussion: "Applies migrations and creates the log first. Same options as berrys worker; projections are all of them; the API listens on BERRYS_HTTP_HOST:BERRYS_HTTP_PORT.")

    @OptionGroup var workerOptions: WorkerOptions

    func run() async throws {
        let workerOptions = workerOptions
        try await reportingFailures { try await ServiceRun.run(loggerLabel: "berrys.run") {
            let context = try Context(domain: .berrys, redisPoolSize: 16 + 2 * workerOptions.concurrency)
            let metrics = APIMetrics.bootstrap()
            let postgres = context.postgres(size: 16 + workerOptions.concurrency)
            _ = try await postgres.withConnection { try await Migrations.run(on: $0) }
            let definitions = try context.definitions()
            let logger = Logger(label: "berrys.run")
            let consumer = workerOptions.consumer ?? WorkerRuntime.defaultConsumerName()
            let selection = try WorkerSelection(only: workerOptions.only, context: context, consumer: consumer,
                                                logger: Logger(label: "berrys.workers"))
            let workers = selection.workers
            let log = try await context.openLog(create: true, source: "berrys")
            let projector = Projector(log: log, pool: postgres, definitions: definitions, logger: Logger(label: "berrys.projector"),
                                      leasing: ProjectorLeasing(leaseMilliseconds: Int(workerOptions.leaseSeconds * 1000)))
            let runtime = WorkerRuntime(workers: workers, log: log, redis: context.redis, postgres: postgres,
                                        history: TieredSource(log: log, pool: postgres), settings: workerOptions.settings,
                                        consumer: consumer, logger: Logger(label: "berrys.workers"))
            let listening = ListeningSignal()
            let api = context.apiService(log: log, admin: postgres, metrics: metrics, listening: listening, logger: Logger(label: "berrys.api"))
            logger.info("API on http://\(context.settings.api.host):\(context.settings.api.port)")
            logger.info("running projections \(definitions.map(\.name).joined(separator: ", ")) and workers \(workers.map(\.name).joined(separator: ", "))")
            let trimmer = LogTrimmer(log: log, catalog: ProjectionCatalog(pool: postgres), policy: log.configuration.retention)
            // The connectors' HTTP client stops after the runtime (a group stops its services last to first).
            let connectors: [any Service] = selection.connectors.map { [$0] } ?? []
            let firer = ScheduledEventFirer(log: log, logger: Logger(label: "berrys.schedule"))
            return connectors + [api, AfterListening(listening, projector), AfterListening(listening, runtime), AfterListening(listening, trimmer),
                                 AfterListening(listening, firer)]
        } }
    }
}
