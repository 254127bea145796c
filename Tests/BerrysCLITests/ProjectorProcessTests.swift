import ProcessSupport
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
    /// - Parameter handler: the SQL for each event (default: count it in `totals`, record its id
    ///   in `seen`, a little slowly).
    static func countingFolder(handler: String = defaultHandler) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("projections-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("counting")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("handlers"), withIntermediateDirectories: true)
        try #"{"name": "counting", "version": 1, "description": "counts", "handles": ["project.created"], "options": {"batch_size": 10}}"#
            .write(to: folder.appendingPathComponent("projection.json"), atomically: true, encoding: .utf8)
        try "CREATE TABLE totals (n int NOT NULL); INSERT INTO totals VALUES (0); CREATE TABLE seen (id text PRIMARY KEY);"
            .write(to: folder.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)
        try handler.write(to: folder.appendingPathComponent("handlers/project.created.sql"), atomically: true, encoding: .utf8)
        return root.path
    }

    /// A little slow on purpose, so that the kill lands mid-run even on a loaded machine.
    static let defaultHandler = "UPDATE totals SET n = n + 1; INSERT INTO seen VALUES ($1->>'id'); SELECT pg_sleep(0.0005)"

    @Test func killedProjectorRestartsAndAppliesEveryEventOnce() async throws {
        let database = try await TestServers.freshDatabase()
        let environment = try Self.environment(database: database, namespace: "kill")
        // 3000 events take about 6 s on an idle machine; the restarted process is given 120 s,
        // as a loaded CI machine once took more than 30 s for 5800 of them.
        let events = 3000
        try await Self.publish(events, environment)

        let log = FileManager.default.temporaryDirectory.appendingPathComponent("projector-\(UUID().uuidString).log").path
        let pool = PostgresPool(conninfo: database, size: 1)
        let first = try BackgroundProcess.start(Self.binary, ["project", "--lease-seconds", "2"], environment: environment, logPath: log)
        try await Self.waitFor(pool, atLeast: 200, upTo: events)
        #expect(await first.stopped(signal: SIGKILL) == 128 + SIGKILL)
        let afterKill = try await Self.applied(pool)
        #expect(afterKill < events, "the kill came too late to test anything")

        // The first one's leases expire (2 s) before the second may apply its partitions.
        let second = try BackgroundProcess.start(Self.binary, ["project", "--lease-seconds", "2"], environment: environment, logPath: log)
        do {
            try await Self.waitFor(pool, atLeast: events, upTo: events, timeout: 120)
        } catch {
            _ = await second.stopped(signal: SIGTERM)
            print("projector log:\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            throw error
        }
        #expect(await second.stopped(signal: SIGTERM) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(try await pool.query("SELECT n, (SELECT count(*) FROM read.seen) FROM read.totals").values == [[String(events), String(events)]])
    }

    /// Two `berrys project` processes share the partitions; one is killed with -9 mid-run and
    /// the other takes its partitions over once their leases expire: every event applied once.
    @Test func twoProjectorProcessesShareThePartitionsAndOneTakesOverFromAKilledOne() async throws {
        let database = try await TestServers.freshDatabase()
        // 10 ms an event, 500 events a partition: each partition takes 5 s or more, so the
        // kill, once both hold leases (within about a second), lands mid-run. No shared row
        // (totals), which would make every batch wait for the others; an event applied twice
        // would break seen's primary key and fault the projection.
        var environment = try Self.environment(database: database, namespace: "share",
                                               handler: "INSERT INTO seen VALUES ($1->>'id'); SELECT pg_sleep(0.01)")
        environment["BERRYS_PARTITIONS"] = "8"
        let events = 4000
        try await Self.publish(events, environment)

        let log = FileManager.default.temporaryDirectory.appendingPathComponent("projectors-\(UUID().uuidString).log").path
        let pool = PostgresPool(conninfo: database, size: 1)
        let options = ["project", "--lease-seconds", "2"]
        let first = try BackgroundProcess.start(Self.binary, options, environment: environment, logPath: log)
        let second = try BackgroundProcess.start(Self.binary, options, environment: environment, logPath: log)
        let holders = "SELECT count(DISTINCT holder) FROM berrys.projection_leases WHERE expires_at > now()"
        try await eventually("both processes holding leases", timeout: 30, every: .milliseconds(20)) {
            (try? await pool.query(holders).scalar) == "2"
        }
        #expect(await first.stopped(signal: SIGKILL) == 128 + SIGKILL)
        let seen = "SELECT count(*) FROM read.seen"
        #expect(Int(try await pool.query(seen).scalar ?? "") ?? 0 < events, "the kill came too late to test anything")
        try await eventually("every event applied", timeout: 60, every: .milliseconds(50)) {
            try await pool.query(seen).scalar == String(events)
        }
        #expect(try await pool.query(holders).scalar == "1")
        #expect(try await pool.query("SELECT state FROM berrys.projections").scalar == "live")
        #expect(await second.stopped(signal: SIGTERM) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    /// The environment of a `berrys` process on the test servers with the counting projection.
    static func environment(database: String, namespace: String, handler: String = defaultHandler) throws -> [String: String] {
        ["BERRYS_REDIS_URL": TestServers.redisURL, "BERRYS_DATABASE_URL": database,
         "BERRYS_NAMESPACE": TestServers.uniqueNamespace(namespace),
         "BERRYS_PROJECTIONS_DIR": try countingFolder(handler: handler),
         "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path]
    }

    /// Publishes `count` project.created events with `berrys publish --file`.
    static func publish(_ count: Int, _ environment: [String: String]) async throws {
        let lines = (0..<count).map { _ in
            let id = UUID().uuidString.lowercased()
            return #"{"specversion":"1.0","id":"\#(id)","source":"t","type":"project.created","data":{"project_id":"\#(id)","name":"p"}}"#
        }.joined(separator: "\n")
        let published = try await TestServers.runCapturingOffPool(binary, ["publish", "--file", "-"], input: lines, environment: environment)
        #expect(published.status == 0, "\(published.stderr)")
    }

    static func applied(_ pool: PostgresPool) async throws -> Int {
        (try? await pool.query("SELECT n FROM read.totals").scalar.flatMap { Int($0) }) ?? 0
    }

    static func waitFor(_ pool: PostgresPool, atLeast count: Int, upTo total: Int, timeout: Double = 30) async throws {
        try await eventually("the projector at \(count) of \(total) events", timeout: timeout, every: .milliseconds(5)) {
            try await applied(pool) >= count
        }
    }
}
