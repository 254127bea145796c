import CommandSupport
import ArgumentParser
import Foundation
import Workers

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the log's partitions and each worker's consumer groups: pending, lag (entries and seconds), consumers, DLQ size.")

    func run() async throws {
        try await reportingFailures {
            let context = try Context()
            let log = try await context.openLog(create: false)
            let reader = WorkerStatusReader(redis: context.redis, namespace: log.configuration.namespace, partitions: log.partitioner.partitions)
            print(["PARTITION", "LENGTH", "LAST ID"].joined(separator: "\t"))
            for partition in try await reader.partitionStatuses() {
                print(["\(partition.partition)", "\(partition.length)", partition.lastID].joined(separator: "\t"))
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
