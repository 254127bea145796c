import BerrysFoundation
import Foundation
import Hummingbird
import ServiceLifecycle
import Prometheus
import EventLog
import Logging
import PostgresClient
import Projections
import QueryAPI
import RedisClient

/// What a command needs, built from the settings and the platform's domain: the Redis pool
/// and the opened log.
public struct Context {
    public let settings: Settings
    /// The clock everything built from this context waits and expires on.
    public let clock: BerrysClock
    public let redis: RedisPool
    public let registry: SchemaRegistry
    public let domain: PlatformDomain

    /// Loads the settings (unless given), sets up logging, and opens a Redis pool of
    /// `redisPoolSize` connections.
    /// - Throws: `SettingsError`, or the schema registry's error.
    public init(domain: PlatformDomain, settings: Settings? = nil, redisPoolSize: Int = 4, clock: BerrysClock = .system) throws {
        let settings = try settings ?? Settings.load()
        self.settings = settings
        self.clock = clock
        LoggingSetup.bootstrap(level: settings.logLevel, format: settings.logFormat)
        redis = RedisPool(seeds: try RedisConfiguration.seeds(url: settings.redisURL), size: redisPoolSize, clock: clock)
        registry = try domain.registry()
        self.domain = domain
    }

    /// A PostgreSQL pool on `BERRYS_DATABASE_URL`.
    public func postgres(size: Int = 8) -> PostgresPool {
        PostgresPool(conninfo: settings.databaseURL, size: size)
    }

    /// The projections declared under the projections folder, checked against the schemas.
    public func definitions(only: [String] = []) throws -> [ProjectionDefinition] {
        guard let folder = ProjectionFolder.locate() else {
            throw ProjectionError(.definition, "cannot find the projections folder; set BERRYS_PROJECTIONS_DIR")
        }
        let all = try ProjectionDefinition.loadAll(from: folder, knownTypes: Set(registry.types),
                                                   referenceData: domain.referenceData)
        for name in only where !all.contains(where: { $0.name == name }) {
            throw ProjectionError(.unknown, "no projection named '\(name)' in \(folder.path) (have: \(all.map(\.name).joined(separator: ", ")))")
        }
        return only.isEmpty ? all : all.filter { only.contains($0.name) }
    }

    /// Opens the event log (creating it when `create`).
    /// - Parameter partitions: the count a new log gets, and an existing one must have
    ///   (default `BERRYS_PARTITIONS`, required only when that is set).
    public func openLog(create: Bool = true, partitions: Int? = nil, source: String = "berrys-cli") async throws -> EventLog {
        var configuration = settings.log
        if let partitions {
            configuration.partitions = partitions
            configuration.partitionsAreRequired = true
        }
        return try await EventLog.open(redis: redis, configuration: configuration, registry: registry,
                                conventions: domain.conventions, defaultSource: source, create: create, clock: clock)
    }

    /// What the HTTP API needs, on this process's connections.
    /// - Throws: a bad connector or projection file's error (the catalog lists them).
    public func apiDependencies(log: EventLog, admin: PostgresPool) throws -> APIDependencies {
        APIDependencies(log: log, redis: redis, reads: ReadStore(conninfo: settings.databaseURL, settings: settings.api), admin: admin,
                        databaseURL: settings.databaseURL, settings: settings.api, participants: try catalogParticipants(),
                        redisAddress: redisAddress)
    }

    /// The HTTP API with the platform's routes, on this process's connections, as a
    /// service that opens `listening` once it listens and names its address when it cannot.
    public func apiService(log: EventLog, admin: PostgresPool, metrics: PrometheusCollectorRegistry?, listening: ListeningSignal,
                           logger: Logger) throws -> some Service {
        let dependencies = try apiDependencies(log: log, admin: admin)
        let application = APIServer.application(dependencies, metrics: metrics, domain: domain.routes(dependencies),
                                                listening: listening, logger: logger)
        return ListeningAPI(application, listening: listening, host: settings.api.host, port: settings.api.port)
    }
}
