import BerrysDomain
import EventLog
import RedisClient

/// An event log in a namespace of its own on the test Redis server.
public enum TestLog {
    /// The Berrys schemas of this repository, with the domain's upcasters.
    public static let registry: SchemaRegistry = try! BerrysSchemas.registry(
        folder: TestServers.projectRoot.appendingPathComponent("schemas"))

    /// Opens a fresh log with the Berrys schemas and conventions.
    public static func open(partitions: Int = 4, poolSize: Int = 4, deduplicationWindow: Duration = .seconds(86_400),
                            on deployment: TestServers.RedisDeployment = .single) async throws -> EventLog {
        let configuration = EventLogConfiguration(namespace: TestServers.uniqueNamespace("log"), partitions: partitions,
                                                  deduplicationWindow: deduplicationWindow,
                                                  unavailableRetry: .seconds(2))
        return try await EventLog.open(redis: RedisPool(seeds: deployment.seeds, size: poolSize),
                                       configuration: configuration, registry: registry, conventions: BerrysConventions())
    }

    /// Opens a log with `configuration` on `redis`, with the Berrys schemas and conventions.
    public static func open(_ configuration: EventLogConfiguration, on redis: RedisPool) async throws -> EventLog {
        try await EventLog.open(redis: redis, configuration: configuration, registry: registry, conventions: BerrysConventions())
    }
}
