import CommandSupport
import ArgumentParser
import Foundation
import RedisClient
import Workers

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the log's partitions (with their Redis Cluster slot and node) and each worker's consumer groups: pending, lag (entries and seconds), consumers, DLQ size.")

    func run() async throws {
        try await reportingFailures {
            let context = try Context()
            let log = try await context.openLog(create: false)
            let reader = WorkerStatusReader(redis: context.redis, namespace: log.configuration.namespace, partitions: log.partitioner.partitions)
            let cluster = try await context.redis.isCluster()
            print("Redis: " + (cluster ? "cluster of \(try await context.redis.primaries().count) primaries" : "one node"))
            print(["PARTITION", "LENGTH", "LAST ID", "SLOT", "NODE"].joined(separator: "\t"))
            for partition in try await reader.partitionStatuses() {
                let stream = log.configuration.streamKey(partition: partition.partition)
                let node = try await context.redis.node(forKey: stream)
                print(["\(partition.partition)", "\(partition.length)", partition.lastID, cluster ? "\(HashSlot.of(stream))" : "-",
                       node.description].joined(separator: "\t"))
            }
            print("")
            print(["WORKER", "PARTITION", "PENDING", "LAG", "LAG SECONDS", "CONSUMERS", "DLQ", "LEASE HOLDER"].joined(separator: "\t"))
            for group in try await reader.groupStatuses() {
                print([group.worker, "\(group.partition)", "\(group.pending)", group.lagEntries.map(String.init) ?? "?",
                       String(format: "%.1f", group.lagSeconds), "\(group.consumers)", "\(group.deadLetters)",
                       group.leaseHolder ?? "-"].joined(separator: "\t"))
            }
        }
    }
}
