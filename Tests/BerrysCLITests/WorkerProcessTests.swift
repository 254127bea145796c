import ProcessSupport
import BerrysFoundation
import Foundation
import RedisClient
import TestSupport
import Testing

/// `berrys worker` as a process: killed with -9 between publishing and acknowledging, another
/// process takes over ⇒ every emitted event exists exactly once; SIGTERM ⇒ exit 0, nothing pending.
@Suite struct WorkerProcessTests {
    static let binary = ProjectorProcessTests.binary

    @Test func aKilledWorkersPendingEventsAreTakenOverAndEveryEmittedEventExistsOnce() async throws {
        try await withProcesses { processes in
            let namespace = TestServers.uniqueNamespace("wkill")
            let environment = try await Self.environment(namespace: namespace)
            let tasks = 15000
            let plan = UUID().uuidString.lowercased(), agent = UUID().uuidString.lowercased()
            let lines = (0..<tasks).flatMap { index -> [String] in
                let task = UUID().uuidString.lowercased()
                return [
                    #"{"specversion":"1.0","id":"\#(UUID().uuidString.lowercased())","source":"t","type":"task.created","data":{"task_id":"\#(task)","plan_id":"\#(plan)","name":"task \#(index)","priority":"MEDIUM"}}"#,
                    #"{"specversion":"1.0","id":"\#(UUID().uuidString.lowercased())","source":"t","type":"task.assigned","data":{"task_id":"\#(task)","plan_id":"\#(plan)","agent_id":"\#(agent)"}}"#,
                ]
            }.joined(separator: "\n")
            let published = try await TestServers.runCapturingOffPool(Self.binary, ["publish", "--file", "-"], input: lines, environment: environment)
            #expect(published.status == 0, "\(published.stderr)")

            let redis = RedisPool(configuration: TestServers.redisConfiguration, size: 2)
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString).log").path
            let arguments = ["worker", "--only", "planning-to-agent", "--lease-seconds", "1", "--visibility-timeout", "2", "--batch-size", "100"]
            let first = try processes.start(Self.binary, arguments + ["--consumer", "first"], environment: environment, logPath: log)
            try await Self.waitFor(redis, namespace: namespace, atLeast: 200, tasks: tasks)
            #expect(await first.stopped(signal: SIGKILL) == 128 + SIGKILL)
            let queuedAtKill = try await Self.queuedCount(redis, namespace: namespace, tasks: tasks)
            let pendingAtKill = try await Self.pending(redis, namespace: namespace)
            #expect(queuedAtKill < tasks, "the kill came too late to test anything")
            #expect(pendingAtKill > 0, "the killed worker left nothing pending")

            let second = try processes.start(Self.binary, arguments + ["--consumer", "second"], environment: environment, logPath: log)
            try await Self.waitFor(redis, namespace: namespace, atLeast: tasks, tasks: tasks)
            try await eventually("every delivery acknowledged") { try await Self.pending(redis, namespace: namespace) == 0 }
            #expect(await second.stopped(signal: SIGTERM) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

            let queued = try await Self.queued(redis, namespace: namespace)
            #expect(queued.count == tasks, "each emitted event exactly once")
            #expect(Set(queued).count == tasks)
            #expect(try await Self.pending(redis, namespace: namespace) == 0, "SIGTERM left events pending")
        }
    }

    /// A `berrys worker` process's environment: the test servers, a fresh database, 2 partitions.
    static func environment(namespace: String) async throws -> [String: String] {
        ["BERRYS_REDIS_URL": TestServers.redisURL, "BERRYS_DATABASE_URL": try await TestServers.freshDatabase(),
         "BERRYS_NAMESPACE": namespace, "BERRYS_PARTITIONS": "2",
         "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path]
    }

    /// The ids of the `agent.execution.queued` events in the log.
    static func queued(_ redis: RedisPool, namespace: String) async throws -> [String] {
        var ids: [String] = []
        for partition in 0..<2 {
            let entries = try await redis.send("XRANGE", "\(namespace):events:{\(partition)}", "-", "+").array ?? []
            for entry in entries {
                let flat = entry.array?[1].array?.compactMap(\.string) ?? []
                let fields = Dictionary(stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], flat[$0 + 1]) }, uniquingKeysWith: { a, _ in a })
                if fields["type"] == "agent.execution.queued", let id = fields["id"] { ids.append(id) }
            }
        }
        return ids
    }

    static func pending(_ redis: RedisPool, namespace: String) async throws -> Int {
        var total = 0
        for partition in 0..<2 {
            let reply = try await redis.send("XPENDING", "\(namespace):events:{\(partition)}", "planning-to-agent")
            total += Int(reply.array?.first?.int ?? 0)
        }
        return total
    }

    /// How many events the worker emitted so far: the streams' lengths beyond what was published (cheap to poll).
    static func queuedCount(_ redis: RedisPool, namespace: String, tasks: Int) async throws -> Int {
        var length = 0
        for partition in 0..<2 { length += Int(try await redis.send("XLEN", "\(namespace):events:{\(partition)}").int ?? 0) }
        return length - 2 * tasks
    }

    static func waitFor(_ redis: RedisPool, namespace: String, atLeast count: Int, tasks: Int) async throws {
        try await eventually("the workers queued \(count) executions", timeout: 60, every: .milliseconds(2)) {
            try await queuedCount(redis, namespace: namespace, tasks: tasks) >= count
        }
    }
}
