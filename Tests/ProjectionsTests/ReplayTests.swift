import BerrysJSON
import EventLog
import Foundation
import PostgresClient
import RedisClient
@testable import Projections
import TestSupport
import Testing

@Suite struct ReplayTests {
    static func counting(version: Int, extraColumn: Bool = false, batchSize: Int = 50) throws -> ProjectionDefinition {
        try ProjectionHarness.definition(
            name: "counting", version: version,
            handles: ["project.created": extraColumn
                ? "INSERT INTO projects (id, name, version) VALUES (($1->'data'->>'project_id')::uuid, $1->'data'->>'name', \(version))"
                : "INSERT INTO projects (id, name) VALUES (($1->'data'->>'project_id')::uuid, $1->'data'->>'name')"],
            schema: extraColumn ? "CREATE TABLE projects (id uuid PRIMARY KEY, name text NOT NULL, version int NOT NULL)"
                                : "CREATE TABLE projects (id uuid PRIMARY KEY, name text NOT NULL)",
            batchSize: batchSize)
    }

    @Test func rebuildSideBySideSwitchesOverWhileReadsNeverFail() async throws {
        let harness = try await ProjectionHarness.make()
        _ = try await harness.log.appendBatch(try (0..<3000).map { _ in try harness.log.prepare(ProjectorTests.project()) })
        try await harness.project([try Self.counting(version: 1)])

        let reads = ReadCounter()
        let reader = Task {
            let connection = PostgresConnection(conninfo: harness.url)
            while !Task.isCancelled {
                do {
                    let count = try await connection.query("SELECT count(*) FROM read.projects").scalar
                    await reads.record(count == "3000" ? nil : "saw \(count ?? "nil") rows")
                } catch {
                    await reads.record("\(error)")
                }
            }
        }
        let applied = try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: try Self.counting(version: 2, extraColumn: true),
                                                  batchSize: 100).run()
        // Some more reads after the switch-over, counted rather than timed.
        let readsAtSwitch = await reads.total
        try await eventually("reads after the switch-over") { await reads.total >= readsAtSwitch + 20 }
        reader.cancel()
        _ = await reader.result
        #expect(applied == 3000)
        #expect(await reads.total > 10)
        let failures = await reads.failures
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(try await harness.pool.query("SELECT count(*), min(version) FROM read.projects").values == [["3000", "2"]])
        let states = try await harness.pool.query("SELECT version, state FROM berrys.projections WHERE name = 'counting' ORDER BY version").values
        #expect(states == [["1", "retired"], ["2", "live"]])
        #expect(try await ProjectionCatalog(pool: harness.pool).prune() == ["proj_counting_v1"])
    }

    @Test func interruptedRebuildResumesToTheSameResult() async throws {
        let harness = try await ProjectionHarness.make()
        _ = try await harness.log.appendBatch(try (0..<2000).map { _ in try harness.log.prepare(ProjectorTests.project()) })
        try await harness.project([try Self.counting(version: 1)])
        let next = try Self.counting(version: 2, extraColumn: true)
        let first = Task { try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: next, batchSize: 2).run() }
        // Stop it once it has applied something, well before the end.
        try await eventually("the rebuild applied 100 events", timeout: 60, every: .milliseconds(5)) {
            (try? await harness.pool.query("SELECT count(*) FROM proj_counting_v2.projects").scalar.flatMap { Int($0) }) ?? 0 >= 100
        }
        first.cancel()
        _ = await first.result
        let midway = try await harness.pool.query("SELECT count(*) FROM proj_counting_v2.projects").scalar.flatMap { Int($0) } ?? 0
        #expect(midway > 0 && midway < 2000, "stopped at \(midway)")
        try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: next, batchSize: 500).run()
        #expect(try await harness.pool.query("SELECT count(*) FROM read.projects").scalar == "2000")
        let same = try await harness.pool.query("""
            SELECT count(*) FROM proj_counting_v1.projects a FULL JOIN proj_counting_v2.projects b USING (id)
            WHERE a.id IS NULL OR b.id IS NULL OR a.name <> b.name
            """).scalar
        #expect(same == "0")
    }

    @Test func liveArchiveAndRebuiltArchiveAreIdentical() async throws {
        let harness = try await ProjectionHarness.make()
        for index in 0..<300 {
            _ = try await harness.log.append(index % 3 == 0
                ? EventDraft(type: "agent.created", data: .object(["agent_id": .string(UUID().uuidString.lowercased()),
                                                                   "name": .string("A\(index)"), "type": .string("CUSTOM")]), dataVersion: 1)
                : ProjectorTests.project())
        }
        let live = try ProjectionHarness.archive
        try await harness.project([live])
        var rebuilt = live
        rebuilt.version = live.version + 1
        rebuilt.checksum += "-rebuilt"
        try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: rebuilt, batchSize: 37).run()
        let difference = try await harness.pool.query("""
            SELECT count(*) FROM (
              (SELECT * FROM \(live.schemaName).events EXCEPT SELECT * FROM \(rebuilt.schemaName).events)
              UNION ALL
              (SELECT * FROM \(rebuilt.schemaName).events EXCEPT SELECT * FROM \(live.schemaName).events)) d
            """).scalar
        #expect(difference == "0")
        #expect(try await harness.pool.query("SELECT count(*) FROM read.events").scalar == "300")
    }

    @Test func twoReplaysOfOneVersionAreRefused() async throws {
        let harness = try await ProjectionHarness.make()
        _ = try await harness.log.appendBatch(try (0..<3000).map { _ in try harness.log.prepare(ProjectorTests.project()) })
        let definition = try Self.counting(version: 1)
        let first = Task { try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: definition, batchSize: 2).run() }
        // Start the second once the first is under way (it has applied rows, far from done).
        try await eventually("the first rebuild under way", timeout: 60, every: .milliseconds(5)) {
            (try? await harness.pool.query("SELECT count(*) FROM proj_counting_v1.projects").scalar.flatMap { Int($0) }) ?? 0 > 0
        }
        let error = await #expect(throws: ProjectionError.self) {
            try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: definition).run()
        }
        #expect(error?.code == .busy)
        first.cancel()
        _ = await first.result
    }
}

/// Counts reads and keeps the failures.
actor ReadCounter {
    private(set) var total = 0
    private(set) var failures: [String] = []
    func record(_ failure: String?) {
        total += 1
        if let failure { failures.append(failure) }
    }
}

@Suite struct ArchiveReplayTests {
    @Test func rebuildFromTheArchiveAfterRedisLostItsHistory() async throws {
        let harness = try await ProjectionHarness.make()
        try await DeterminismTests.workload(harness.log)
        let berrys = try ProjectionHarness.berrys
        try await harness.project([try ProjectionHarness.archive] + berrys)
        // Redis's history goes away (as after a raw trim); the archive still has it.
        let redis = RedisPool(configuration: TestServers.redisConfiguration)
        for partition in 0..<harness.log.partitioner.partitions {
            try await redis.send("XTRIM", harness.log.configuration.streamKey(partition: partition), "MAXLEN", "0")
        }
        var agents = try ProjectionHarness.projection("agents")
        agents.version = 9
        agents.checksum += "-count"
        let applied = try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: agents, batchSize: 50,
                                                  source: ArchiveSource(pool: harness.pool)).run()
        let total = try await harness.pool.query("SELECT count(*) FROM read.events").scalar
        #expect(String(applied) == total)
        try await harness.expectRebuildsEqualLive(berrys, batchSize: 50, source: ArchiveSource(pool: harness.pool))
    }
}
