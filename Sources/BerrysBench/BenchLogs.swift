import BerrysDomain
import CommandSupport
import EventLog
import Foundation
import RedisClient

/// Throw-away logs for one benchmark run, each in a namespace of its own (`bench-<random>`),
/// every one deleted when `with` returns or throws.
actor BenchLogs {
    private let redis: RedisPool
    private let configuration: EventLogConfiguration
    private let registry: SchemaRegistry
    private var namespaces: [String] = []

    private init(redis: RedisPool, configuration: EventLogConfiguration, registry: SchemaRegistry) {
        self.redis = redis
        self.configuration = configuration
        self.registry = registry
    }

    /// Runs `body` with fresh logs on `context`'s Redis, then deletes their keys.
    static func with<T: Sendable>(_ context: Context, _ body: (BenchLogs) async throws -> T) async throws -> T {
        let logs = BenchLogs(redis: context.redis, configuration: context.settings.log, registry: context.registry)
        do {
            let result = try await body(logs)
            try await logs.deleteAll()
            return result
        } catch {
            try? await logs.deleteAll()
            throw error
        }
    }

    /// A new, empty log with the settings' partitions.
    func fresh() async throws -> EventLog {
        var configuration = configuration
        configuration.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        namespaces.append(configuration.namespace)
        return try await EventLog.open(redis: redis, configuration: configuration, registry: registry,
                                       conventions: BerrysConventions(), defaultSource: "berrys-bench")
    }

    private func deleteAll() async throws {
        for namespace in namespaces { try await BenchKeys.delete(prefix: namespace, redis: redis) }
        namespaces = []
    }
}
