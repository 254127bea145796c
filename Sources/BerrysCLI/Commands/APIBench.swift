import ArgumentParser
import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import Logging
import PostgresClient
import Projections
import QueryAPI
import ServiceLifecycle

struct APIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "wrk against the API: GET by id and a filtered list page next to a static route of the same server; POST /v1/events.",
        discussion: """
        Serves the API in this process on a throw-away namespace and database (the platform projection built \
        from --agents generated agents), runs wrk (installed with apt-get when missing and run as root) for \
        --seconds per route, prints requests/s and p99, and deletes everything afterwards.
        """)

    @Option(help: "Agents to create before measuring.") var agents: Int = 2000
    @Option(help: "Concurrent wrk connections.") var connections: Int = 32
    @Option(help: "Seconds per wrk run.") var seconds: Int = 5
    @Option(help: "The API's port for the run.") var port: Int = 18_480

    func run() async throws {
        try await reportingFailures {
            try WrkRunner.ensureInstalled()
            let context = try Context(redisPoolSize: 16)
            var logSettings = context.settings.log
            logSettings.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
            let log = try await EventLog.open(redis: context.redis, configuration: logSettings, registry: context.registry,
                                              conventions: BerrysConventions(), defaultSource: "berrys-bench")
            let databases = BenchDatabases(adminURL: context.settings.databaseURL)
            do {
                let lines = try await measure(context: context, log: log, databases: databases)
                try await databases.dropAll()
                try await BenchKeys.delete(prefix: logSettings.namespace, redis: context.redis)
                print("api benchmark (\(connections) connections, \(seconds) s per route, \(agents) agents, wrk 2 threads)")
                for line in lines { print("  " + line) }
            } catch {
                try? await databases.dropAll()
                try? await BenchKeys.delete(prefix: logSettings.namespace, redis: context.redis)
                throw error
            }
        }
    }

    private func measure(context: Context, log: EventLog, databases: BenchDatabases) async throws -> [String] {
        let (pool, url) = try await databases.makeWithURL()
        var ids: [String] = []
        var drafts: [EventDraft] = []
        for index in 0..<agents {
            let id = UUID().uuidString.lowercased()
            ids.append(id)
            drafts.append(try AgentCreated(agentID: id, name: "agent \(index)", agentType: .assistant, specializations: ["bench"]).draft())
        }
        for start in stride(from: 0, to: drafts.count, by: 1000) {
            let chunk = try drafts[start..<min(start + 1000, drafts.count)].map { try log.prepare($0) }
            for result in try await log.appendBatch(chunk) { _ = try result.get() }
        }
        var logger = Logger(label: "berrys.bench")
        logger.logLevel = .warning
        let definition = try context.definitions(only: ["platform"])
        let projector = Projector(log: log, pool: pool, definitions: definition, logger: logger)
        var settings = context.settings.api
        settings.port = port
        settings.host = "127.0.0.1"
        let dependencies = APIDependencies(log: log, redis: context.redis, reads: ReadStore(conninfo: url, settings: settings), admin: pool,
                                           databaseURL: url, settings: settings)
        let api = APIServer.application(dependencies, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [projector, api], logger: logger))
        let task = Task { try await group.run() }
        defer { task.cancel() }
        while (try? await pool.query("SELECT count(*) FROM read.agents").scalar) != String(agents) {
            try await Task.sleep(for: .milliseconds(100))
        }
        // Table statistics, as autovacuum would have them on a live system a minute later:
        // without them the planner guesses how many agents a filter keeps.
        try await pool.query("ANALYZE")
        let base = "http://127.0.0.1:\(port)"
        let wrk = WrkRunner(connections: connections, seconds: seconds)
        // Warm up: connections opened, statements prepared, before anything is measured.
        _ = try await WrkRunner(connections: connections, seconds: 1).run(url: base, script: WrkRunner.randomPathScript(prefix: "/v1/agents/", ids: Array(ids.prefix(500))))
        _ = try await WrkRunner(connections: connections, seconds: 1).run(url: "\(base)/v1/agents?status=INACTIVE&specialization=bench&limit=50")
        // The static route is measured before and after the reads and their rates compared with
        // its mean: this machine's speed drifts by a quarter within a minute.
        let staticBefore = try await Measured.run(wrk, url: "\(base)/health/liveness")
        let byID = try await Measured.run(wrk, url: base, script: WrkRunner.randomPathScript(prefix: "/v1/agents/", ids: Array(ids.prefix(500))))
        let listPage = try await Measured.run(wrk, url: "\(base)/v1/agents?status=INACTIVE&specialization=bench&limit=50")
        let staticAfter = try await Measured.run(wrk, url: "\(base)/health/liveness")
        let publish = try await Measured.run(wrk, url: "\(base)/v1/events", script: WrkRunner.publishScript())
        await group.triggerGracefulShutdown()
        _ = await task.result
        let ceiling = (staticBefore.result.requestsPerSecond + staticAfter.result.requestsPerSecond) / 2
        func line(_ name: String, _ run: Measured, ratio: Bool = true) -> String {
            let result = run.result
            let versus = ratio ? String(format: " = %.2f × static", result.requestsPerSecond / ceiling) : ""
            return "\(name) \(Int(result.requestsPerSecond)) req/s, p50 \(String(format: "%.2f", result.p50)) ms, "
                + "p99 \(String(format: "%.2f", result.p99)) ms\(versus); CPU per request: \(run.cpuDescription)"
        }
        return [
            line("static route (/health/liveness), before:", staticBefore, ratio: false),
            line("static route (/health/liveness), after: ", staticAfter, ratio: false),
            line("GET /v1/agents/{id}:                    ", byID),
            line("GET /v1/agents?status&limit=50:         ", listPage),
            line("POST /v1/events (one event each):       ", publish, ratio: false) + " (errors: \(publish.result.errors))",
            "(× static: against the mean of the static route's two rates)",
        ]
    }
}

/// One wrk run with the CPU it cost this process (the server) and the local PostgreSQL.
private struct Measured {
    var result: WrkRunner.Result
    var serverSeconds: Double
    var postgresSeconds: Double?

    static func run(_ wrk: WrkRunner, url: String, script: String? = nil) async throws -> Measured {
        let server = CPUMeter.processSeconds()
        let postgres = LocalServerCPU.seconds(program: "postgres")
        let result = try await wrk.run(url: url, script: script)
        let postgresSpent = postgres.flatMap { before in LocalServerCPU.seconds(program: "postgres").map { $0 - before } }
        return Measured(result: result, serverSeconds: CPUMeter.processSeconds() - server, postgresSeconds: postgresSpent)
    }

    /// "41 µs server + 30 µs PostgreSQL" (PostgreSQL only when it runs on this machine).
    var cpuDescription: String {
        func microseconds(_ seconds: Double) -> String { String(format: "%.0f µs", seconds * 1e6 / Double(max(1, result.requests))) }
        return "\(microseconds(serverSeconds)) server" + (postgresSeconds.map { " + \(microseconds($0)) PostgreSQL" } ?? "")
    }
}

extension BenchDatabases {
    /// A throw-away database and its URL.
    func makeWithURL() async throws -> (PostgresPool, String) {
        let pool = try await make()
        return (pool, pool.conninfo)
    }
}
