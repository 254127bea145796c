import BerrysPlatform
import ArgumentParser
import BerrysDomain
import CommandSupport
import EventLog
import Foundation
import RedisClient

/// `berrys-bench cluster`: batch publish on one Redis and on a Redis Cluster side by side.
struct ClusterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Batch publish on one Redis and on a Redis Cluster: aggregate rate, Redis CPU per event on each primary, and the capacity model for N shards.",
        discussion: """
        BERRYS_REDIS_URL names the cluster's seed nodes (./scripts/local-servers up cluster), --single-url one \
        Redis to compare with. Both runs use EventLog.appendBatch (validated, de-duplicated, sequenced) in \
        throw-away namespaces, deleted afterwards. A cluster whose nodes share fewer cores than it has \
        primaries cannot show scale-out in its aggregate rate: the capacity model printed beside it \
        (N primaries, each on a core of its own, at the Redis CPU per event measured here) is a model, \
        not a measurement.
        """)

    @Option(help: "Events per run.") var events: Int = 100_000
    @Option(help: "Events per appendBatch call.") var pipeline: Int = 1000
    @Option(help: "Concurrent publishers.") var publishers: Int = 2
    @Option(help: "Partitions of both logs (P >= 4 x shards spreads well).") var partitions: Int = 16
    @Option(help: "One Redis to compare with: redis://host:port.") var singleURL: String

    func validate() throws {
        guard events > 0, pipeline > 0, publishers > 0, (1...1024).contains(partitions) else {
            throw ValidationError("--events, --pipeline and --publishers must be positive, --partitions 1-1024")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys)
            guard try await context.redis.isCluster() else {
                throw EventLogError(.registry, field: "BERRYS_REDIS_URL", "must list the seed nodes of a Redis Cluster for berrys-bench cluster")
            }
            let single = RedisPool(configuration: try RedisConfiguration(url: singleURL), size: 8)
            guard try await !single.isCluster() else {
                throw EventLogError(.registry, field: "--single-url", "must name one Redis outside a cluster")
            }
            let one = try await measure(on: single, context: context)
            let many = try await measure(on: context.redis, context: context)
            print(ClusterBenchReport(events: events, partitions: partitions, pipeline: pipeline, publishers: publishers,
                                     one: one, many: many).text)
        }
    }

    /// One run of batch publish on `redis`, with each primary's Redis CPU before and after.
    private func measure(on redis: RedisPool, context: Context) async throws -> ClusterBenchReport.Run {
        var settings = context.settings.log
        settings.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        settings.partitions = partitions
        settings.partitionsAreRequired = false
        let log = try await EventLog.open(redis: redis, configuration: settings, registry: context.registry,
                                          conventions: BerrysConventions(), defaultSource: "berrys-bench")
        do {
            let perPublisher = try (0..<publishers).map { _ in try (0..<(events / publishers)).map { _ in try log.prepare(PublishBench.draft()) } }
            var eventsPerNode: [RedisNodeAddress: Int] = [:]
            var partitionsPerNode: [RedisNodeAddress: Int] = [:]
            var nodeOfPartition: [Int: RedisNodeAddress] = [:]
            for partition in 0..<partitions {
                let node = try await redis.node(forKey: settings.streamKey(partition: partition))
                nodeOfPartition[partition] = node
                partitionsPerNode[node, default: 0] += 1
            }
            for envelope in perPublisher.joined() { eventsPerNode[nodeOfPartition[log.partition(of: envelope)]!, default: 0] += 1 }
            let before = try await PrimarySample.take(redis)
            let processBefore = CPUMeter.processSeconds()
            let rate = try await PipelinedPublish.rate(perPublisher, pipeline: pipeline) { chunk in
                try await log.appendBatch(chunk, chunkSize: pipeline)
            }
            let processSeconds = CPUMeter.processSeconds() - processBefore
            let after = try await PrimarySample.take(redis)
            try await BenchKeys.delete(prefix: settings.namespace, redis: redis)
            let shards = after.keys.sorted { $0.description < $1.description }.map { node in
                let appended = Double(max(1, eventsPerNode[node] ?? 0))
                return ClusterBenchReport.Shard(
                    node: node, partitions: partitionsPerNode[node] ?? 0, events: eventsPerNode[node] ?? 0,
                    cpuMicroseconds: (after[node]!.cpuSeconds - (before[node]?.cpuSeconds ?? 0)) * 1e6 / appended,
                    commandMicroseconds: (after[node]!.commandMicroseconds - (before[node]?.commandMicroseconds ?? 0)) / appended)
            }
            return .init(rate: rate, shards: shards, publisherMicroseconds: processSeconds * 1e6 / Double(events / publishers * publishers))
        } catch {
            try? await BenchKeys.delete(prefix: settings.namespace, redis: redis)
            throw error
        }
    }
}

/// What each primary has spent so far: CPU (`INFO cpu`) and time in the append commands
/// (`INFO commandstats`).
struct PrimarySample: Sendable {
    var cpuSeconds: Double
    var commandMicroseconds: Double

    static func take(_ redis: RedisPool) async throws -> [RedisNodeAddress: PrimarySample] {
        let samples = try await redis.forEachPrimary { node, connection -> (RedisNodeAddress, PrimarySample) in
            let cpu = try await connection.send("INFO", "cpu").string ?? ""
            let commands = try await connection.send("INFO", "commandstats").string ?? ""
            let time = PublishBench.transactionCommands.reduce(0.0) { $0 + RedisServerStats.commandTime($1, in: commands).microseconds }
            return (node, PrimarySample(cpuSeconds: RedisServerStats.cpuSeconds(in: cpu), commandMicroseconds: time))
        }
        return Dictionary(uniqueKeysWithValues: samples)
    }
}
