import BerrysFoundation
import Foundation
import PostgresClient
import TestSupport
import Testing

/// The projector as a process: killed with -9 mid-run, restarted ⇒ every event applied once;
/// SIGTERM ⇒ clean exit 0.
@Suite struct ProjectorProcessTests {
    static let binary = TestServers.projectRoot.appendingPathComponent(".build/debug/berrys").path

    /// A projections folder with one counting projection.
    static func countingFolder() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("projections-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("counting")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("handlers"), withIntermediateDirectories: true)
        try #"{"name": "counting", "version": 1, "description": "counts", "handles": ["project.created"], "options": {"batch_size": 10}}"#
            .write(to: folder.appendingPathComponent("projection.json"), atomically: true, encoding: .utf8)
        try "CREATE TABLE totals (n int NOT NULL); INSERT INTO totals VALUES (0); CREATE TABLE seen (id text PRIMARY KEY);"
            .write(to: folder.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)
        // A little slow on purpose, so that the kill lands mid-run even on a loaded machine.
        try "UPDATE totals SET n = n + 1; INSERT INTO seen VALUES ($1->>'id'); SELECT pg_sleep(0.0005)"
            .write(to: folder.appendingPathComponent("handlers/project.created.sql"), atomically: true, encoding: .utf8)
        return root.path
    }

    @Test func killedProjectorRestartsAndAppliesEveryEventOnce() async throws {
        let database = try await TestServers.freshDatabase()
        let environment = ["BERRYS_REDIS_URL": TestServers.redisURL, "BERRYS_DATABASE_URL": database,
                           "BERRYS_NAMESPACE": TestServers.uniqueNamespace("kill"), "BERRYS_PROJECTIONS_DIR": try Self.countingFolder(),
                           "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path]
        let events = 6000
        let lines = (0..<events).map { _ in
            let id = UUID().uuidString.lowercased()
            return #"{"specversion":"1.0","id":"\#(id)","source":"t","type":"project.created","data":{"project_id":"\#(id)","name":"p"}}"#
        }.joined(separator: "\n")
        let published = try await TestServers.runCapturingOffPool(Self.binary, ["publish", "--file", "-"], input: lines, environment: environment)
        #expect(published.status == 0, "\(published.stderr)")

        let log = FileManager.default.temporaryDirectory.appendingPathComponent("projector-\(UUID().uuidString).log").path
        let pool = PostgresPool(conninfo: database, size: 1)
        let first = try BackgroundProcess.start(Self.binary, ["project"], environment: environment, logPath: log)
        try await Self.waitFor(pool, atLeast: 200, upTo: events)
        #expect(await first.stopped(signal: SIGKILL) == 128 + SIGKILL)
        let afterKill = try await Self.applied(pool)
        #expect(afterKill < events, "the kill came too late to test anything")

        let second = try BackgroundProcess.start(Self.binary, ["project"], environment: environment, logPath: log)
        try await Self.waitFor(pool, atLeast: events, upTo: events)
        #expect(await second.stopped(signal: SIGTERM) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(try await pool.query("SELECT n, (SELECT count(*) FROM read.seen) FROM read.totals").values == [[String(events), String(events)]])
    }

    static func applied(_ pool: PostgresPool) async throws -> Int {
        (try? await pool.query("SELECT n FROM read.totals").scalar.flatMap { Int($0) }) ?? 0
    }

    static func waitFor(_ pool: PostgresPool, atLeast count: Int, upTo total: Int) async throws {
        try await eventually("the projector at \(count) of \(total) events", timeout: 30, every: .milliseconds(5)) {
            try await applied(pool) >= count
        }
    }
}
