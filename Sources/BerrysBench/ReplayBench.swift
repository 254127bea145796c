import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import PostgresClient
import Projections
import RedisClient

struct ReplayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild and live-projection rates over generated Berrys events, next to a raw COPY of the same rows.",
        discussion: """
        Publishes --events generated events into a throw-away namespace, then in throw-away databases on the \
        configured PostgreSQL server: (a) rebuilds the archive projection and COPYs the same rows into an identical \
        table, (b) rebuilds all projections together, (c) runs the live projector from scratch, (d) rebuilds each \
        read model alone. Cleans up afterwards.
        """)

    @Option(help: "Events to generate.") var events: Int = 1_000_000
    @Option(help: "What the events are: lifecycle (agents through their lifecycle and projects; four in five are agent events) or platform (agents, plans and tasks run as executions, with tools, models and messages).")
    var mix: BenchWorkload.Mix = .lifecycle
    @Option(help: "Events per rebuild batch.") var batchSize: Int = 5000

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys, redisPoolSize: 8)
            var settings = context.settings.log
            settings.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
            let log = try await EventLog.open(redis: context.redis, configuration: settings, registry: context.registry,
                                              conventions: BerrysConventions(), defaultSource: "berrys-bench")
            let definitions = try context.definitions()
            let databases = BenchDatabases(adminURL: context.settings.databaseURL)
            let report = try await databases.cleaningUp(namespace: settings.namespace, redis: context.redis) {
                printError("generating \(events) events …")
                try await BenchWorkload.publish(events, mix: mix, to: log)
                return try await measure(log: log, redis: context.redis, definitions: definitions, databases: databases)
            }
            print(report)
        }
    }

    private func measure(log: EventLog, redis: RedisPool, definitions: [ProjectionDefinition], databases: BenchDatabases) async throws -> String {
        guard let archive = definitions.first(where: { $0.name == "archive" }) else {
            throw ProjectionError(.unknown, "the archive projection is missing")
        }
        var cpu = StepCPU(redis: redis)
        // (a) archive rebuild vs raw COPY of the same rows.
        let first = try await databases.make()
        try await cpu.start()
        let archiveSeconds = try await Self.time { try await ProjectionBuilder(log: log, pool: first, definition: archive, batchSize: batchSize).run() }
        let archiveCPU = try await cpu.perEvent(events)
        let copySeconds = try await RawCopy.measure(pool: first, from: archive.schemaName)
        // (b) every projection rebuilt together, as after a version bump: each next version built
        // side by side with the live one (unlogged until its switch-over), with one read of the
        // log for all of them (SharedSource), as `berrys replay NAME…` does.
        let second = try await databases.make()
        let bumped = try await Self.bumpedVersions(definitions, pool: second, partitions: log.partitioner.partitions)
        try await cpu.start()
        let shared = SharedSource(base: TieredSource(log: log, pool: second), readers: bumped.count)
        let allSeconds = try await Self.time {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for definition in bumped {
                    group.addTask {
                        try await ProjectionBuilder(log: log, pool: second, definition: definition, batchSize: batchSize, source: shared).run()
                    }
                }
                try await group.waitForAll()
            }
        }
        let allCPU = try await cpu.perEvent(events)
        // (d) each read model rebuilt alone, as after a change to its SQL.
        var alone: [(name: String, seconds: Double, cpu: String)] = []
        for definition in definitions where definition.name != archive.name {
            let pool = try await databases.make()
            let next = try await Self.bumpedVersions([definition], pool: pool, partitions: log.partitioner.partitions)[0]
            printError("(d) rebuilding \(definition.name) alone …")
            try await cpu.start()
            let seconds = try await Self.time {
                try await ProjectionBuilder(log: log, pool: pool, definition: next, batchSize: batchSize).run()
            }
            alone.append((definition.name, seconds, try await cpu.perEvent(events)))
        }
        let slowest = alone.max { $0.seconds < $1.seconds }
        // (c) the live projector from position 0, checkpoint per batch.
        let third = try await databases.make()
        let liveSeconds = try await Self.time { try await LiveCatchUp.run(log: log, pool: third, definitions: [archive]) }
        let n = Double(events)
        return """
        replay benchmark (\(events) events of the \(mix.rawValue) mix, \(log.partitioner.partitions) partitions, rebuild batches of \(batchSize))
          (a) archive rebuild:              \(Int(n / archiveSeconds)) events/s; CPU per event \(archiveCPU)
              raw COPY of the same rows:    \(Int(n / copySeconds)) rows/s
              ratio rebuild / COPY:         \(String(format: "%.2f", copySeconds / archiveSeconds))
          (b) all projections (\(definitions.map(\.name).joined(separator: ", "))) rebuilt together as next versions: \(Int(n / allSeconds)) events/s; CPU per event \(allCPU)
          (c) live projector (archive, batches of \(archive.batchSize), checkpoint per batch): \(Int(n / liveSeconds)) events/s
          (d) one read model rebuilt alone: \(alone.map { String(format: "%@ %.1f s", $0.name, $0.seconds) }.joined(separator: ", "))
              the slowest (\(slowest?.name ?? "-")) takes \(String(format: "%.2f", (slowest?.seconds ?? 0) / allSeconds)) of the full rebuild (\(String(format: "%.1f", allSeconds)) s); CPU per event of the log \(slowest?.cpu ?? "-")
        """
    }

    /// Registers each definition's version (live at once, empty) and returns the next versions,
    /// which then build side by side as after a version bump.
    static func bumpedVersions(_ definitions: [ProjectionDefinition], pool: PostgresPool, partitions: Int) async throws -> [ProjectionDefinition] {
        let catalog = ProjectionCatalog(pool: pool)
        var next: [ProjectionDefinition] = []
        for definition in definitions {
            try await catalog.register(definition, partitions: partitions)
            var bumped = definition
            bumped.version += 1
            bumped.checksum += "-bench"
            next.append(bumped)
        }
        return next
    }

    static func time(_ body: () async throws -> Void) async throws -> Double {
        let started = DispatchTime.now().uptimeNanoseconds
        try await body()
        return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }
}
