import BerrysDomain
import EventLog
import Logging
import RedisClient

/// What a command needs, built from the settings: the Redis pool and the opened log.
struct Context {
    let settings: Settings
    let redis: RedisPool
    let registry: SchemaRegistry

    init(redisPoolSize: Int = 4) throws {
        settings = try Settings.load()
        LoggingSetup.bootstrap(level: settings.logLevel, format: settings.logFormat)
        redis = RedisPool(configuration: try RedisConfiguration(url: settings.redisURL), size: redisPoolSize)
        registry = try BerrysSchemas.registry()
    }

    /// Opens the event log (creating it when `create`).
    func openLog(create: Bool = true, source: String = "berrys-cli") async throws -> EventLog {
        try await EventLog.open(redis: redis, configuration: settings.log, registry: registry,
                                conventions: BerrysConventions(), defaultSource: source, create: create)
    }
}
