import BerrysFoundation
import Foundation
import ProcessSupport
import RedisClient
import TestSupport
import Testing

/// A worker whose handler emits a set (`execution-to-task`: a PLANNED task through IN_PROGRESS
/// to COMPLETED, two events), killed with -9 while it decides and appends: after another
/// process takes over, every task has its pair once, whole, the two side by side in the log.
/// Appended one by one, a kill between the two would leave the first alone, or another set
/// between them.
@Suite struct WorkerKillAtomicSetTests {
    static let binary = ProjectorProcessTests.binary
    static let group = "execution-to-task"

    @Test func aWorkerKilledBetweenDecidingAndAppendingLeavesEverySetOnceAndWhole() async throws {
        try await withProcesses { processes in
            let namespace = TestServers.uniqueNamespace("wset")
            let environment = try await WorkerProcessTests.environment(namespace: namespace)
            let tasks = 3000
            let plan = UUID().uuidString.lowercased(), agent = UUID().uuidString.lowercased()
            let taskIDs = (0..<tasks).map { _ in UUID().uuidString.lowercased() }
            let created = taskIDs.enumerated().map { index, task in
                #"{"specversion":"1.0","id":"\#(UUID().uuidString.lowercased())","source":"t","type":"task.created","data":{"task_id":"\#(task)","plan_id":"\#(plan)","name":"task \#(index)","priority":"MEDIUM"}}"#
            }
            let completed = taskIDs.map { task in
                #"{"specversion":"1.0","id":"\#(UUID().uuidString.lowercased())","source":"t","type":"agent.execution.completed","data":{"execution_id":"\#(UUID().uuidString.lowercased())","agent_id":"\#(agent)","task_id":"\#(task)","outcome":"COMPLETED"}}"#
            }
            let published = try await TestServers.runCapturingOffPool(Self.binary, ["publish", "--file", "-"],
                                                                      input: (created + completed).joined(separator: "\n"), environment: environment)
            #expect(published.status == 0, "\(published.stderr)")

            let redis = RedisPool(configuration: TestServers.redisConfiguration, size: 2)
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("worker-set-\(UUID().uuidString).log").path
            // 10 s leases: the second worker waits for the killed one's to expire, once. With 1 s
            // leases, a loaded run (two CPU hogs, a release benchmark and the suite) saw the
            // second worker lose its leases every few seconds, drop its work in hand each time,
            // and make no progress for a minute.
            let arguments = ["worker", "--only", Self.group, "--lease-seconds", "10", "--visibility-timeout", "2", "--batch-size", "100"]
            let first = try processes.start(Self.binary, arguments + ["--consumer", "first"], environment: environment, logPath: log)
            try await eventually("the first worker under way", every: .milliseconds(2),
                                 progress: { "\(try await Self.emitted(redis, namespace: namespace, published: 2 * tasks)) \(fileSize(log))" }) {
                try await Self.emitted(redis, namespace: namespace, published: 2 * tasks) >= 100
            }
            #expect(await first.stopped(signal: SIGKILL) == 128 + SIGKILL)
            let emittedAtKill = try await Self.emitted(redis, namespace: namespace, published: 2 * tasks)
            #expect(emittedAtKill < 2 * tasks, "the kill came too late to test anything")

            let second = try processes.start(Self.binary, arguments + ["--consumer", "second"], environment: environment, logPath: log)
            try await eventually("every task completed", every: .milliseconds(20),
                                 progress: { try await Self.emitted(redis, namespace: namespace, published: 2 * tasks) }) {
                try await Self.emitted(redis, namespace: namespace, published: 2 * tasks) >= 2 * tasks
            }
            try await eventually("every delivery acknowledged") { try await Self.pending(redis, namespace: namespace) == 0 }
            #expect(await second.stopped(signal: SIGTERM) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

            var pairs: [String: [Int]] = [:]  // task → its status changes' places in its partition
            for partition in 0..<2 {
                for (place, entry) in try await Self.entries(redis, namespace: namespace, partition: partition).enumerated()
                where entry["type"] == "task.status_changed" {
                    pairs[entry["subject"] ?? "", default: []].append(place)
                }
            }
            #expect(pairs.count == tasks, "every task changed")
            let broken = pairs.filter { $0.value.count != 2 || $0.value[1] != $0.value[0] + 1 }
            #expect(broken.count == 0, "\(broken.count) tasks without exactly one whole pair, e.g. \(Array(broken.prefix(3)))")
            print("worker kill with sets: \(emittedAtKill) of \(2 * tasks) events emitted at the kill")
        }
    }

    /// Each entry's fields of a partition, in order.
    static func entries(_ redis: RedisPool, namespace: String, partition: Int) async throws -> [[String: String]] {
        try await (redis.send("XRANGE", "\(namespace):events:{\(partition)}", "-", "+").array ?? []).map { entry in
            let flat = entry.array?[1].array?.compactMap(\.string) ?? []
            return Dictionary(stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], flat[$0 + 1]) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Events in the log beyond the published ones.
    static func emitted(_ redis: RedisPool, namespace: String, published: Int) async throws -> Int {
        var length = 0
        for partition in 0..<2 { length += Int(try await redis.send("XLEN", "\(namespace):events:{\(partition)}").int ?? 0) }
        return length - published
    }

    static func pending(_ redis: RedisPool, namespace: String) async throws -> Int {
        var total = 0
        for partition in 0..<2 {
            total += Int(try await redis.send("XPENDING", "\(namespace):events:{\(partition)}", group).array?.first?.int ?? 0)
        }
        return total
    }
}
