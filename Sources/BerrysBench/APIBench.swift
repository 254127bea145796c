import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import Logging
import PostgresClient

struct APIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "wrk against the API: GET by id and a filtered list page next to a static route of the same server; POST /v1/events.",
        discussion: """
        Serves the API in this process on a throw-away namespace and database (the Berrys read models built \
        from --agents generated agents), runs wrk (installed with apt-get when missing and run as root) for \
        --seconds per run, in --rounds rounds (static route, GET by id, list page, then the static route again \
        for the last round), prints the median requests/s, p50, p99 and CPU per request over the rounds with \
        their range, and the reads' rates as a ratio of the static route's around them; then POST /v1/events \
        once. Deletes everything afterwards.
        """)

    @Option(help: "Agents to create before measuring.") var agents: Int = 2000
    @Option(help: "Concurrent wrk connections.") var connections: Int = 32
    @Option(help: "Seconds per wrk run.") var seconds: Int = 5
    @Option(help: "Rounds of static route, GET by id and list page; the report gives medians and ranges.") var rounds: Int = 3
    @Option(help: "The API's port for the run.") var port: Int = 18_480

    func run() async throws {
        try await reportingFailures {
            try WrkRunner.ensureInstalled()
            // Warnings and worse only (unless BERRYS_LOG_LEVEL says otherwise): a log line per
            // request would be measured with the requests.
            var settings = try Settings.load()
            if ProcessInfo.processInfo.environment["BERRYS_LOG_LEVEL"] == nil { settings.logLevel = "warning" }
            let context = try Context(domain: .berrys, settings: settings, redisPoolSize: 16)
            var logSettings = context.settings.log
            logSettings.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
            let log = try await EventLog.open(redis: context.redis, configuration: logSettings, registry: context.registry,
                                              conventions: BerrysConventions(), defaultSource: "berrys-bench")
            let databases = BenchDatabases(adminURL: context.settings.databaseURL)
            let lines = try await databases.cleaningUp(namespace: logSettings.namespace, redis: context.redis) {
                try await serveAndMeasure(context: context, log: log, databases: databases)
            }
            print("api benchmark (\(connections) connections, \(seconds) s per run, \(max(1, rounds)) round\(rounds > 1 ? "s" : ""), \(agents) agents, wrk 2 threads)")
            for line in lines { print("  " + line) }
        }
    }

    private func serveAndMeasure(context: Context, log: EventLog, databases: BenchDatabases) async throws -> [String] {
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
        // The API and the projector as `berrys run` assembles them (metrics included), on the
        // bench's namespace, database and port; without the archive projection.
        var settings = context.settings
        settings.log = log.configuration
        settings.databaseURL = url
        settings.api.port = port
        settings.api.host = "127.0.0.1"
        let projections = try context.definitions().map(\.name).filter { $0 != "archive" }
        let assembly = SystemAssembly(roles: [.api, .projector], domain: .berrys, projector: .init(only: projections),
                                      source: "berrys-bench", settings: settings)
        var logger = Logger(label: "berrys.bench")
        logger.logLevel = .warning
        return try await withBenchServices(try await assembly.services(logger: logger)) {
            try await measure(pool: pool, ids: ids)
        }
    }

    private func measure(pool: PostgresPool, ids: [String]) async throws -> [String] {
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
        // Rounds of static route, by id, list page, and a last static run: each read is compared
        // with the mean of the static runs just before and after it (this machine's speed drifts
        // by a quarter within a minute), and the report gives medians over the rounds.
        var statics = [try await MeasuredRun.run(wrk, url: "\(base)/health/liveness")]
        var rounds: [APIBenchRound] = []
        for _ in 0..<max(1, self.rounds) {
            let byID = try await MeasuredRun.run(wrk, url: base, script: WrkRunner.randomPathScript(prefix: "/v1/agents/", ids: Array(ids.prefix(500))))
            let listPage = try await MeasuredRun.run(wrk, url: "\(base)/v1/agents?status=INACTIVE&specialization=bench&limit=50")
            statics.append(try await MeasuredRun.run(wrk, url: "\(base)/health/liveness"))
            rounds.append(APIBenchRound(staticBefore: statics[statics.count - 2], staticAfter: statics[statics.count - 1],
                                        byID: byID, listPage: listPage))
        }
        let publish = try await MeasuredRun.run(wrk, url: "\(base)/v1/events", script: WrkRunner.publishScript())
        return APIBenchRound.report(statics: statics, rounds: rounds, publish: publish)
    }
}

extension BenchDatabases {
    /// A throw-away database and its URL.
    func makeWithURL() async throws -> (PostgresPool, String) {
        let pool = try await make()
        return (pool, pool.conninfo)
    }
}
