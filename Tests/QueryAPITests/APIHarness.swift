import BerrysRuntime
import BerrysAPI
import BerrysDomain
import BerrysJSON
import BerrysWorkers
import EventLog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresClient
import Projections
import QueryAPI
import RedisClient
import ServiceLifecycle
import TestSupport
import Testing
import Workers

/// A whole system per test: a log in its own namespace, a fresh database, the projector
/// (platform + archive) and the domain workers running, and the API's router in-process.
struct APIHarness {
    let log: EventLog
    let redis: RedisPool
    let admin: PostgresPool
    let dependencies: APIDependencies
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// - Parameter runProjector: false leaves the read models behind the log (for consistency timeouts).
    static func start(settings: APISettings = APISettings(consistencyTimeout: .seconds(60)), runWorkers: Bool = true,
                      runProjector: Bool = true) async throws -> APIHarness {
        let url = try await TestServers.freshDatabase()
        let admin = PostgresPool(conninfo: url, size: 8)
        _ = try await admin.withConnection { try await Migrations.run(on: $0) }
        let log = try await TestLog.open(poolSize: 8)
        let redis = RedisPool(configuration: TestServers.redisConfiguration, size: 8)
        let root = TestServers.projectRoot.appendingPathComponent("projections")
        let definitions = try ProjectionDefinition.loadAll(from: root, knownTypes: Set(TestLog.registry.types),
                                                           referenceData: TransitionsSQL.referenceData)
        var logger = Logger(label: "test.api")
        logger.logLevel = .warning
        var services: [any Service] = runProjector ? [Projector(log: log, pool: admin, definitions: definitions, logger: logger)] : []
        if runWorkers {
            services.append(WorkerRuntime(workers: BerrysWorkerCatalog.all, log: log, redis: redis, postgres: admin,
                                          settings: WorkerSettings(concurrency: 2, block: .milliseconds(100), lease: .seconds(10)), logger: logger))
        }
        let dependencies = APIDependencies(log: log, redis: redis, reads: ReadStore(conninfo: url, settings: settings), admin: admin,
                                           databaseURL: url, settings: settings)
        services.append(dependencies.checkpoints)  // not the live hub: StreamTests runs servers of its own
        let group = ServiceGroup(configuration: .named(services, logger: logger))
        let task = Task { try await group.run() }
        let harness = APIHarness(log: log, redis: redis, admin: admin, dependencies: dependencies, group: group, task: task)
        // The projector registers its projections on start; reads need the read.* views. Then
        // it takes each projection's partitions: a read-your-writes read waits for every
        // projection of its routes (six for the Berrys read models), so before that a first
        // read measures the projector's start-up, not read-your-writes (beside two CPU hogs:
        // 30 s and more, while agents had applied the event 15 s after the read asked).
        if runProjector {
            do {
                try await eventually("the projections live") {
                    try await admin.query("SELECT count(*) FROM berrys.projections WHERE state = 'live'").scalar == String(definitions.count)
                }
                let leases = """
                    SELECT count(*) FROM berrys.projection_leases l JOIN berrys.projections p ON p.name = l.projection AND p.version = l.version
                    WHERE p.state = 'live' AND l.expires_at > now()
                    """
                let wanted = String(definitions.count * log.partitioner.partitions)
                try await eventually("the projector holding every projection's partitions", progress: {
                    try await admin.query(leases).scalar
                }) { try await admin.query(leases).scalar == wanted }
            } catch {
                try? await harness.stop()
                throw error
            }
        }
        return harness
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Runs `body` with a whole system started as `start` starts it, and stops it afterwards,
    /// also when `body` throws.
    static func with<T>(settings: APISettings = APISettings(consistencyTimeout: .seconds(60)), runWorkers: Bool = true, runProjector: Bool = true,
                        _ body: (APIHarness) async throws -> T) async throws -> T {
        let harness = try await start(settings: settings, runWorkers: runWorkers, runProjector: runProjector)
        do {
            let result = try await body(harness)
            try await harness.stop()
            return result
        } catch {
            try? await harness.stop()
            throw error
        }
    }

    /// Runs `body` with a client of a whole system (see `with`), stopped afterwards.
    static func withAPI<T: Sendable>(settings: APISettings = APISettings(consistencyTimeout: .seconds(60)), runWorkers: Bool = true,
                                     runProjector: Bool = true, live: Bool = false,
                                     _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await with(settings: settings, runWorkers: runWorkers, runProjector: runProjector) { harness in
            try await harness.withClient(live: live, body)
        }
    }

    /// Runs `body` with a client of the in-process router (or, `live`, of a real HTTP server on a free port).
    func withClient<T: Sendable>(live: Bool = false, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        // Access logs of thousands of requests would bury a failure's message in the test output.
        var logger = Logger(label: "test.api.http")
        logger.logLevel = .warning
        let app = Application(router: APIServer.router(dependencies, domain: [BerrysRoutes(dependencies: dependencies)]), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              logger: logger)
        return try await app.test(live ? .live : .router, body)
    }
}

/// Requests and decoded responses, briefly.
extension TestClientProtocol {
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, json: JSON, headers: HTTPFields) {
        try await execute(uri: uri, method: .get, headers: headers) { response in
            (response.status, (try? JSON(parsing: String(buffer: response.body))) ?? .null, response.headers)
        }
    }

    func post(_ uri: String, contentType: String = "application/cloudevents+json", body: String,
              headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, json: JSON, headers: HTTPFields) {
        try await post(uri, contentType: contentType, bytes: Array(body.utf8), headers: headers)
    }

    /// A POST of raw bytes (which need not be UTF-8).
    func post(_ uri: String, contentType: String = "application/cloudevents+json", bytes: [UInt8],
              headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, json: JSON, headers: HTTPFields) {
        var headers = headers
        headers[.contentType] = contentType
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) { response in
            (response.status, (try? JSON(parsing: String(buffer: response.body))) ?? .null, response.headers)
        }
    }
}

enum Events {
    static func uuid() -> String { UUID().uuidString.lowercased() }

    /// A CloudEvent in structured JSON.
    static func cloudEvent(type: String, data: JSON, id: String = uuid(), extra: [String: JSON] = [:]) -> String {
        var members: [String: JSON] = ["specversion": .string("1.0"), "id": .string(id), "source": .string("test"),
                                       "type": .string(type), "data": data]
        members.merge(extra) { $1 }
        return JSON.object(members).serialized
    }

    static func agentCreated(_ agent: String, name: String = "Agent", extra: [String: JSON] = [:]) -> String {
        cloudEvent(type: "agent.created", data: .object(["agent_id": .string(agent), "name": .string(name),
                                                          "agent_type": .string("ASSISTANT"), "specializations": .array([.string("search")])]),
                   extra: extra)
    }
}
