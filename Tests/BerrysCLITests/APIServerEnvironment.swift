import Foundation
import TestSupport

/// The environment of a `berrys run` serving the API for a test: the test Redis, a fresh
/// database, a namespace of its own, the project's schemas and projections, and `extra`.
func apiServerEnvironment(port: Int, namespace prefix: String, extra: [String: String] = [:]) async throws -> [String: String] {
    var environment = ["BERRYS_REDIS_URL": TestServers.redisURL, "BERRYS_DATABASE_URL": try await TestServers.freshDatabase(),
                       "BERRYS_NAMESPACE": TestServers.uniqueNamespace(prefix), "BERRYS_HTTP_PORT": String(port),
                       "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path,
                       "BERRYS_PROJECTIONS_DIR": TestServers.projectRoot.appendingPathComponent("projections").path]
    environment.merge(extra) { _, given in given }
    return environment
}
