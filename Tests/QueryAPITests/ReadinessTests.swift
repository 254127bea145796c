import BerrysAPI
import BerrysJSON
import EventLog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Projections
import QueryAPI
import RedisClient
import TestSupport
import Testing

@Suite(.serialized) struct ReadinessTests {
    /// Readiness goes 503 naming PostgreSQL while it is stopped, and back to 200 when it returns.
    @Test func readinessFollowsPostgres() async throws {
        let server = try await SparePostgresServer.make()
        defer { server.destroy() }
        let admin = PostgresPool(conninfo: server.url, size: 2)
        _ = try await admin.withConnection { try await Migrations.run(on: $0) }
        let log = try await TestLog.open()
        let dependencies = APIDependencies(log: log, redis: RedisPool(configuration: TestServers.redisConfiguration, size: 2),
                                           reads: ReadStore(conninfo: server.url, settings: APISettings()), admin: admin, databaseURL: server.url,
                                           settings: APISettings())
        let app = Application(router: APIServer.router(dependencies, domain: [BerrysRoutes(dependencies: dependencies)]))
        try await app.test(.router) { client async throws in
            #expect(try await client.get("/health/readiness").status == .ok)
            await server.stopOffPool()
            let down = try await client.get("/health/readiness")
            #expect(down.status == .serviceUnavailable)
            #expect(down.json["checks"]?["postgres"]?["ok"] == .bool(false), "\(down.json)")
            #expect(down.json["checks"]?["redis"]?["ok"] == .bool(true))
            #expect(try await client.get("/health/liveness").status == .ok)
            try await server.startOffPool()
            try await eventually("ready again once PostgreSQL is back", timeout: 20, every: .milliseconds(50)) {
                try await client.get("/health/readiness").status == .ok
            }
        }
    }
}
