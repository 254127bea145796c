import BerrysFoundation
import Connectors
import EventLog
import Logging
import Metrics
import PostgresClient
import Projections
import Prometheus
import QueryAPI
import ServiceLifecycle
import Workers

/// What a process can run. `berrys run` runs them all; `worker` the workers and the firer;
/// `project` the projector and the trimmer; `serve` the API.
public enum Role: String, CaseIterable, Sendable {
    case api, workers, projector, firer, trimmer
}

/// The one place that builds a process's services from the settings, the platform's domain
/// and the roles it runs: pools sized from the roles, migrations where PostgreSQL's schema is
/// needed, the log opened once, each role's services, and the order a group stops them in
/// (last to first: the connectors' HTTP client after the workers). Called inside the service
/// group (`ServiceRun`), so a signal during set-up stops the process cleanly.
public struct SystemAssembly: Sendable {
    /// The workers' part: which, under what consumer name, with what settings.
    public struct WorkerPlan: Sendable {
        public var only: [String]
        public var consumer: String?
        public var settings: WorkerSettings
        /// Serve `/metrics` and readiness on this port when the API does not run.
        public var metricsPort: Int?

        public init(only: [String] = [], consumer: String? = nil, settings: WorkerSettings = WorkerSettings(), metricsPort: Int? = nil) {
            self.only = only
            self.consumer = consumer
            self.settings = settings
            self.metricsPort = metricsPort
        }
    }

    /// The projector's part: which projections, sharing partitions how.
    public struct ProjectorPlan: Sendable {
        public var only: [String]
        public var rebuildChanged: Bool
        public var leasing: ProjectorLeasing

        public init(only: [String] = [], rebuildChanged: Bool = false, leasing: ProjectorLeasing = ProjectorLeasing()) {
            self.only = only
            self.rebuildChanged = rebuildChanged
            self.leasing = leasing
        }
    }

    public var roles: Set<Role>
    public var domain: PlatformDomain
    public var workers: WorkerPlan
    public var projector: ProjectorPlan
    /// The `source` of events this process publishes without one.
    public var source: String
    /// The clock every service of the process waits and expires on.
    public var clock: BerrysClock
    /// The settings; nil: loaded from the environment when the services are built.
    public var settings: Settings?

    public init(roles: Set<Role>, domain: PlatformDomain, workers: WorkerPlan = WorkerPlan(), projector: ProjectorPlan = ProjectorPlan(),
                source: String = "berrys", clock: BerrysClock = .system, settings: Settings? = nil) {
        self.settings = settings
        self.roles = roles
        self.domain = domain
        self.workers = workers
        self.projector = projector
        self.source = source
        self.clock = clock
    }

    /// Redis connections: 8, and 8 more for the API or the projector, and two per concurrent
    /// delivery for the workers.
    var redisPoolSize: Int {
        8 + (roles.contains(.api) || roles.contains(.projector) ? 8 : 0) + (roles.contains(.workers) ? 2 * workers.settings.concurrency : 0)
    }

    /// PostgreSQL connections: 4, 4 more for the API's admin reads, 12 for the projector, one per
    /// concurrent delivery for the workers.
    var postgresPoolSize: Int {
        4 + (roles.contains(.api) ? 4 : 0) + (roles.contains(.projector) ? 12 : 0) + (roles.contains(.workers) ? workers.settings.concurrency : 0)
    }

    /// Connects, migrates, opens the log and builds the services of the roles.
    public func services(logger: Logger) async throws -> [any Service] {
        let metrics = roles.contains(.api) || workers.metricsPort != nil ? Self.bootstrapMetrics() : nil
        let context = try Context(domain: domain, settings: settings, redisPoolSize: redisPoolSize, clock: clock)
        let postgres = context.postgres(size: postgresPoolSize)
        if roles.contains(.api) || roles.contains(.projector) {
            _ = try await postgres.withConnection { try await Migrations.run(on: $0) }
        }
        let definitions = roles.contains(.projector) ? try await projectionDefinitions(context, postgres) : []
        let selection = roles.contains(.workers) ? try workerSelection(context) : nil
        let log = try await context.openLog(create: true, source: source)
        var first: [any Service] = selection?.connectors.map { [$0] } ?? []
        var rest: [any Service] = [RedisTopologyRefresher(redis: context.redis)]
        if roles.contains(.projector) {
            logger.info("projecting \(definitions.map { "\($0.name) v\($0.version)" }.joined(separator: ", ")) over \(log.partitioner.partitions) partitions")
            rest.append(Projector(log: log, pool: postgres, definitions: definitions, logger: Logger(label: "berrys.projector"),
                                  leasing: projector.leasing))
        }
        if let selection {
            logger.info("running workers \(selection.workers.map(\.name).joined(separator: ", ")) as \(selection.consumer)")
            rest.append(WorkerRuntime(workers: selection.workers, log: log, redis: context.redis, postgres: postgres,
                                      history: TieredSource(log: log, pool: postgres), settings: workers.settings,
                                      consumer: selection.consumer, logger: Logger(label: "berrys.workers")))
        }
        if roles.contains(.trimmer) {
            rest.append(LogTrimmer(log: log, catalog: ProjectionCatalog(pool: postgres), policy: log.configuration.retention))
        }
        if roles.contains(.firer) {
            rest.append(ScheduledEventFirer(log: log, logger: Logger(label: "berrys.schedule")))
        }
        if roles.contains(.api) {
            // The others start once the API listens: a process whose API cannot bind exits
            // before its projector or workers have done anything.
            let listening = ListeningSignal()
            first.append(try context.apiService(log: log, admin: postgres, metrics: metrics, listening: listening, logger: Logger(label: "berrys.api")))
            rest = rest.map { AfterListening(listening, $0) }
            logger.info("API on http://\(context.settings.api.host):\(context.settings.api.port)")
        } else if let metrics, let port = workers.metricsPort {
            let readiness: [(name: String, check: ReadinessReport.Check)] = [
                ("redis", ReadinessReport.redisCheck(context.redis)), ("postgres", ReadinessReport.postgresCheck(postgres)),
            ]
            rest.append(MetricsServer.application(registry: metrics, host: context.settings.api.host, port: port, readiness: readiness))
            logger.info("metrics on http://\(context.settings.api.host):\(port)/metrics, readiness on /health/readiness")
        }
        return first + rest
    }

    private func projectionDefinitions(_ context: Context, _ postgres: PostgresPool) async throws -> [ProjectionDefinition] {
        var definitions = try context.definitions(only: projector.only)
        if projector.rebuildChanged {
            let catalog = ProjectionCatalog(pool: postgres)
            for index in definitions.indices { definitions[index] = try await catalog.versionForChangedFiles(definitions[index]) }
        }
        return definitions
    }

    private func workerSelection(_ context: Context) throws -> WorkerSelection {
        let consumer = workers.consumer ?? WorkerRuntime.defaultConsumerName()
        return try WorkerSelection(only: workers.only, context: context, consumer: consumer, logger: Logger(label: "berrys.workers"))
    }

    /// Prometheus as the process's swift-metrics backend, once.
    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
