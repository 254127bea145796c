import BerrysPlatform
import EventLog
import CommandSupport
import ArgumentParser
import Foundation
import Projections
import RedisClient
import Workers

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the log's partitions (with Redis memory, what holds trimming back, their Redis Cluster slot and node) and each worker's consumer groups: pending, lag (entries and seconds), consumers, DLQ size.")

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys)
            let log = try await context.openLog(create: false)
            let reader = WorkerStatusReader(redis: context.redis, namespace: log.configuration.namespace, partitions: log.partitioner.partitions)
            let cluster = try await context.redis.isCluster()
            let memory = try await log.redisUsedMemory()
            print("Redis: " + (cluster ? "cluster of \(try await context.redis.primaries().count) primaries" : "one node")
                  + String(format: ", %.1f MiB in use; retention %@", Double(memory) / 1_048_576, log.configuration.retention.description))
            // What holds trimming back needs the archive's checkpoints from PostgreSQL; without it the
            // rest of the status still shows.
            let trimmer = LogTrimmer(log: log, catalog: ProjectionCatalog(pool: context.postgres(size: 2)), policy: log.configuration.retention)
            let trims: [Int: PartitionTrimReport]
            do {
                trims = Dictionary(uniqueKeysWithValues: try await trimmer.round(dryRun: true).map { ($0.partition, $0) })
            } catch {
                trims = [:]
                print("(trimming state unknown: \(error))")
            }
            print(["PARTITION", "LENGTH", "LAST ID", "TRIMMED BELOW", "TRIM HELD BY", "SLOT", "NODE"].joined(separator: "\t"))
            for partition in try await reader.partitionStatuses() {
                let stream = log.configuration.streamKey(partition: partition.partition)
                let node = try await context.redis.node(forKey: stream)
                let trim = trims[partition.partition]
                let watermark = trim.map { $0.state.watermark == .zero ? "-" : $0.state.watermark.description } ?? "?"
                print(["\(partition.partition)", "\(partition.length)", partition.lastID, watermark, trim.map { $0.heldBy ?? "-" } ?? "?",
                       cluster ? "\(HashSlot.of(stream))" : "-", node.description].joined(separator: "\t"))
            }
            print("")
            print(["WORKER", "PARTITION", "PENDING", "LAG", "LAG SECONDS", "CONSUMERS", "DLQ", "LEASE HOLDER", "CATCHING UP"].joined(separator: "\t"))
            for group in try await reader.groupStatuses() {
                print([group.worker, "\(group.partition)", "\(group.pending)", group.lagEntries.map(String.init) ?? "?",
                       String(format: "%.1f", group.lagSeconds), "\(group.consumers)", "\(group.deadLetters)",
                       group.leaseHolder ?? "-", group.catchUp.map { "from the archive: at \($0.position) of \($0.through)" } ?? "-"]
                    .joined(separator: "\t"))
            }
            try await printCircuits(reader: reader, workers: Set(try await reader.groupStatuses().map(\.worker)))
        }
    }

    /// The circuit breakers of connector workers, one line per live process that reported one.
    private func printCircuits(reader: WorkerStatusReader, workers: Set<String>) async throws {
        var lines: [String] = []
        for worker in workers.sorted() {
            for circuit in try await reader.circuits(worker: worker) {
                let until = circuit.openUntil.map { "until " + Timestamp.format(Date(timeIntervalSince1970: $0)) } ?? "-"
                lines.append([worker, circuit.consumer, circuit.state.rawValue, "\(circuit.consecutiveFailures)", until].joined(separator: "\t"))
            }
        }
        guard !lines.isEmpty else { return }
        print("")
        print(["CONNECTOR", "CONSUMER", "CIRCUIT", "FAILURES IN A ROW", "OPEN"].joined(separator: "\t"))
        lines.forEach { print($0) }
    }
}
