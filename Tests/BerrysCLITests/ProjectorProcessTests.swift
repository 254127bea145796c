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

    /// Counts each event and records its id. Once 1000 are counted, each batch waits for the
    /// shared side of the gate (`Gate`): while a test holds it, the projector stops there, so
    /// that a kill lands mid-run whatever the machine's load (a test process stalled for 4.7 s
    /// once let the projector finish all 3000 events before the kill).
    static let defaultHandler = """
        UPDATE totals SET n = n + 1; INSERT INTO seen VALUES ($1->>'id');
        SELECT pg_advisory_xact_lock_shared(\(Gate.key)) FROM totals WHERE n >= 1000
        """

    /// An advisory lock the test holds (exclusively, on a connection of its own) while the
    /// projector must not pass the point its handler waits at.
    struct Gate {
        static let key = 4_242_001
        let connection: PostgresConnection

        static func closed(_ database: String) async throws -> Gate {
            let connection = PostgresConnection(conninfo: database)
            try await connection.execute("SELECT pg_advisory_lock(\(key))")
            return Gate(connection: connection)
        }

        func open() async throws {
            try await connection.execute("SELECT pg_advisory_unlock(\(Gate.key))")
            await connection.close()
        }
    }

    @Test func killedProjectorRestartsAndAppliesEveryEventOnce() async throws {
        try await withProcesses { processes in
            let database = try await TestServers.freshDatabase()
            let environment = try Self.environment(database: database, namespace: "kill")
            let events = 3000
            try await Self.publish(events, environment)

            let log = FileManager.default.temporaryDirectory.appendingPathComponent("projector-\(UUID().uuidString).log").path
            let pool = PostgresPool(conninfo: database, size: 1)
            let gate = try await Gate.closed(database)
            let first = try processes.start(Self.binary, ["project", "--lease-seconds", "2"], environment: environment, logPath: log)
            // The batch that reaches 1000 waits at the gate holding totals' row: 990 or more are committed.
            try await Self.waitFor(pool, atLeast: 990, upTo: events, timeout: 120)
            #expect(await first.stopped(signal: SIGKILL) == 128 + SIGKILL)
            let afterKill = try await Self.applied(pool)
            #expect(afterKill < events, "the gate held the projector mid-run")
            try await gate.open()

            // The first one's leases expire (2 s) before the second may apply its partitions.
            let second = try processes.start(Self.binary, ["project", "--lease-seconds", "2"], environment: environment, logPath: log)
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
    }

    /// Two `berrys project` processes: the one holding every partition is killed with -9
    /// mid-run, and the other, a live member all along, takes the partitions over once their
    /// leases expire: every event applied once. (Processes sharing partitions while both live:
    /// ProjectionLeaseTests and OwnershipRuntimeTests.)
    ///
    /// In order, with no race: the first holds everything and waits at the gate (its batches
    /// hold their transactions there, so it cannot give partitions back meanwhile: a batch in
    /// hand is finished first), the second joins, the first is killed, the gate opens.
    @Test func aKilledProjectorsPartitionsAreTakenOverByTheOtherProcessOnceItsLeasesExpire() async throws {
        try await withProcesses { processes in
            let database = try await TestServers.freshDatabase()
            // Once 1000 events are seen, batches wait at the gate while the test holds it. No shared
            // row (totals), which would make every batch wait for the others; an event applied twice
            // would break seen's primary key and fault the projection.
            var environment = try Self.environment(database: database, namespace: "share", handler: """
                INSERT INTO seen VALUES ($1->>'id');
                SELECT pg_advisory_xact_lock_shared(\(Gate.key)) WHERE (SELECT count(*) FROM seen) >= 1000
                """)
            environment["BERRYS_PARTITIONS"] = "8"
            let events = 4000
            try await Self.publish(events, environment)

            let log = FileManager.default.temporaryDirectory.appendingPathComponent("projectors-\(UUID().uuidString).log").path
            let pool = PostgresPool(conninfo: database, size: 1)
            let options = ["project", "--lease-seconds", "2"]
            let gate = try await Gate.closed(database)
            let first = try processes.start(Self.binary, options, environment: environment, logPath: log)
            let seen = "SELECT count(*) FROM read.seen"
            // A batch waits at the gate once the rows it sees (committed, and its own) reach 1000:
            // 990 or more are committed then.
            try await eventually("990 events applied, then the gate", timeout: 120, every: .milliseconds(20)) {
                Int((try? await pool.query(seen).scalar) ?? "") ?? 0 >= 990
            }
            let holders = "SELECT count(DISTINCT holder) FROM berrys.projection_leases WHERE expires_at > now()"
            #expect(try await pool.query(holders).scalar == "1")
            let second = try processes.start(Self.binary, options, environment: environment, logPath: log)
            try await eventually("the second process a live member", timeout: 60, every: .milliseconds(20)) {
                try await pool.query("SELECT count(*) FROM berrys.projector_members WHERE expires_at > now()").scalar == "2"
            }
            #expect(await first.stopped(signal: SIGKILL) == 128 + SIGKILL)
            #expect(Int(try await pool.query(seen).scalar ?? "") ?? 0 < events, "the gate held the first mid-run")
            try await gate.open()
            try await eventually("every event applied", timeout: 60, every: .milliseconds(50)) {
                try await pool.query(seen).scalar == String(events)
            }
            #expect(try await pool.query(holders).scalar == "1")
            #expect(try await pool.query("SELECT state FROM berrys.projections").scalar == "live")
            #expect(await second.stopped(signal: SIGTERM) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
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
