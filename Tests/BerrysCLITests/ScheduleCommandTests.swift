import ProcessSupport
import BerrysFoundation
import Foundation
import RedisClient
import TestSupport
import Testing

/// `berrys publish --at`, `berrys schedule list|cancel`, and the worker process firing a held event.
@Suite struct ScheduleCommandTests {
    static let binary = ProjectorProcessTests.binary

    @Test func publishAtListCancelAndFire() async throws {
        try await withProcesses { processes in
            let environment = ["BERRYS_REDIS_URL": TestServers.redisURL, "BERRYS_DATABASE_URL": try await TestServers.freshDatabase(),
                               "BERRYS_NAMESPACE": TestServers.uniqueNamespace("sched"), "BERRYS_PARTITIONS": "2",
                               "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path]
            func berrys(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
                try await TestServers.runCapturingOffPool(Self.binary, arguments, environment: environment)
            }
            let project = UUID().uuidString.lowercased()
            let data = #"{"project_id":"\#(project)","name":"P"}"#
            let later = try await berrys(["publish", "project.created", "--data", data, "--at", "2099-01-01T00:00:00Z"])
            #expect(later.status == 0, "\(later.stderr)")
            #expect(later.stdout.hasPrefix("scheduled id=") && later.stdout.contains("deliver_at=2099-01-01T00:00:00.000Z"), "\(later.stdout)")
            let id = String(later.stdout.split(separator: " ")[1].dropFirst("id=".count))
            let listed = try await berrys(["schedule", "list"])
            #expect(listed.stdout.contains("2099-01-01T00:00:00.000Z\t\(id)\tproject.created\t\(project)"), "\(listed.stdout)")
            #expect(try await berrys(["schedule", "cancel", id]).status == 0)
            let again = try await berrys(["schedule", "cancel", id])
            #expect(again.status == 1 && again.stderr.contains("no held event has id \(id)"))
            #expect(try await berrys(["publish", "project.created", "--data", data, "--at", "soon"]).status == 64)

            let soon = Date().addingTimeInterval(5)  // a loaded machine takes a while to start the command
            let held = try await berrys(["publish", "project.created", "--data", data, "--at", ISO8601DateFormatter().string(from: soon)])
            #expect(held.status == 0 && held.stdout.hasPrefix("scheduled"), "\(held.stderr)")
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("schedule-\(UUID().uuidString).log").path
            let worker = try processes.start(Self.binary, ["worker", "--only", "agent-lifecycle"], environment: environment, logPath: log)
            let redis = RedisPool(configuration: TestServers.redisConfiguration, size: 1)
            try await eventually("appended by the worker process's firer", timeout: 60, every: .milliseconds(100)) {
                var length: Int64 = 0
                for partition in 0..<2 { length += try await redis.send("XLEN", "\(environment["BERRYS_NAMESPACE"]!):events:{\(partition)}").int ?? 0 }
                return length == 1
            }
            #expect(await worker.stopped(signal: SIGTERM) == 0)
            #expect(try await berrys(["schedule", "list"]).stdout.split(separator: "\n").count == 1, "only the header left")
        }
    }
}
