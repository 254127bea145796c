import BerrysAPI
import BerrysDomain
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
    /// Before a projector made a version live, readiness is 503 naming the projections and a
    /// read answers 503 `not_ready` (not 500: `read.agents` does not exist yet); once the
    /// projections are registered (their first version goes live), both answer 200.
    static func expectNotReadyUntilTheReadModelsExist(_ client: some TestClientProtocol, admin: PostgresPool, log: EventLog) async throws {
        let before = try await client.get("/health/readiness")
        #expect(before.status == .serviceUnavailable)
        #expect(before.json["checks"]?["projections"]?["error"]?.stringValue?.contains("no projection is registered") == true, "\(before.json)")
        let read = try await client.get("/v1/agents")
        #expect(read.status == .serviceUnavailable, "\(read.json)")
        #expect(read.json["error"]?["code"] == .string("not_ready"), "\(read.json)")
        #expect(read.headers[.retryAfter] == "1")
        let root = TestServers.projectRoot.appendingPathComponent("projections")
        for definition in try ProjectionDefinition.loadAll(from: root, knownTypes: Set(TestLog.registry.types), referenceData: TransitionsSQL.referenceData) {
            try await ProjectionCatalog(pool: admin).register(definition, partitions: log.partitioner.partitions)
        }
        let after = try await client.get("/health/readiness")
        #expect(after.status == .ok, "\(after.json)")
        #expect(try await client.get("/v1/agents").status == .ok)
    }

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
            try await Self.expectNotReadyUntilTheReadModelsExist(client, admin: admin, log: log)
            await server.stopOffPool()
            let down = try await client.get("/health/readiness")
            #expect(down.status == .serviceUnavailable)
            #expect(down.json["checks"]?["postgres"]?["ok"] == .bool(false), "\(down.json)")
            #expect(down.json["checks"]?["redis"]?["ok"] == .bool(true))
            #expect(try await client.get("/health/liveness").status == .ok)
            try await server.startOffPool()
            try await eventually("ready again once PostgreSQL is back", timeout: 60, every: .milliseconds(50)) {
                try await client.get("/health/readiness").status == .ok
            }
        }
    }
}
