import BerrysJSON
import EventLog
import Foundation
import PostgresClient
@testable import Projections
import TestSupport
import Testing

@Suite struct ProjectorTests {
    static func project(_ id: String = UUID().uuidString.lowercased()) -> EventDraft {
        EventDraft(type: "project.created", data: .object(["project_id": .string(id), "name": .string("P")]))
    }

    @Test func archiveKeepsEveryEventAsStored() async throws {
        let harness = try await ProjectionHarness.make()
        let agent = UUID().uuidString.lowercased()
        let v1 = try await harness.log.append(EventDraft(type: "agent.created", data: .object([
            "agent_id": .string(agent), "name": .string("Old"), "type": .string("RESEARCHER")]), dataVersion: 1))
        for _ in 0..<50 { _ = try await harness.log.append(Self.project()) }
        try await harness.project([try ProjectionHarness.archive])
        #expect(try await harness.pool.query("SELECT count(*) FROM read.events").scalar == "51")
        let row = try await harness.pool.query("SELECT dataversion, data->>'type', sequence, partition, stream_id FROM read.events WHERE id = $1",
                                               [v1.id]).values.first
        #expect(row == ["1", "RESEARCHER", "1", String(v1.position.partition), v1.position.streamID.description])
    }

    @Test func handlersSeeUpcastDataAndApplyExactlyOnceAcrossRestarts() async throws {
        let harness = try await ProjectionHarness.make()
        let counting = try ProjectionHarness.definition(
            name: "counting", handles: ["project.created": """
                INSERT INTO counts (subject, n) VALUES ($1->>'subject', 1)
                ON CONFLICT (subject) DO UPDATE SET n = counts.n + 1;
                UPDATE totals SET n = n + 1
                """],
            schema: "CREATE TABLE counts (subject text PRIMARY KEY, n int NOT NULL); CREATE TABLE totals (n int NOT NULL); INSERT INTO totals VALUES (0);",
            batchSize: 7)
        let ids = (0..<300).map { _ in UUID().uuidString.lowercased() }
        _ = try await harness.log.appendBatch(try ids.map { try harness.log.prepare(Self.project($0)) })

        // Run until some more is applied, stop, several times; then to the end.
        for _ in 0..<3 {
            // (read.totals exists once the first projector registered the projection.)
            let applied = { Int((try? await harness.pool.query("SELECT n FROM read.totals").scalar) ?? "0") ?? 0 }
            let before = await applied()
            let task = Task { try await Projector(log: harness.log, pool: harness.pool, definitions: [counting]).run() }
            try await eventually("more applied") {
                let now = await applied()
                return now > before || now == 300
            }
            task.cancel()
            _ = await task.result
        }
        try await harness.project([counting])
        let total = try await harness.pool.query("SELECT n FROM read.totals").scalar
        #expect(total == "300", "total \(String(describing: total))")
        #expect(try await harness.pool.query("SELECT count(*), max(n) FROM read.counts").values == [["300", "1"]])
    }

    @Test func twoProjectorsOnOneVersionStillApplyEachEventOnce() async throws {
        let harness = try await ProjectionHarness.make()
        let counting = try ProjectionHarness.definition(
            name: "counting", handles: ["project.created": "UPDATE totals SET n = n + 1"],
            schema: "CREATE TABLE totals (n int NOT NULL); INSERT INTO totals VALUES (0);", batchSize: 5)
        _ = try await harness.log.appendBatch(try (0..<400).map { _ in try harness.log.prepare(Self.project()) })
        let other = Task { try await Projector(log: harness.log, pool: harness.pool, definitions: [counting]).run() }
        defer { other.cancel() }
        try await harness.project([counting])
        #expect(try await harness.pool.query("SELECT n FROM read.totals").scalar == "400")
    }

    @Test func handlerErrorFaultsThatProjectionOnlyWithAClearError() async throws {
        let harness = try await ProjectionHarness.make()
        let broken = try ProjectionHarness.definition(
            name: "broken", handles: ["project.created": "INSERT INTO strict (n) VALUES (($1->'data'->>'missing')::int)"],
            schema: "CREATE TABLE strict (n int NOT NULL)")
        let bad = try await harness.log.append(Self.project())
        for _ in 0..<20 { _ = try await harness.log.append(Self.project()) }
        try await harness.project([broken, try ProjectionHarness.archive])
        let row = try await harness.pool.query("SELECT state, faulted_event_id, error FROM berrys.projections WHERE name = 'broken'").rows[0]
        #expect(try row.text("state") == "faulted")
        let faultedID = try row.text("faulted_event_id")
        #expect(faultedID != nil)
        #expect(try row.text("error")?.contains("null value in column \"n\"") == true)
        #expect(try row.text("error")?.contains(faultedID ?? "?") == true)
        _ = bad
        #expect(try await harness.pool.query("SELECT count(*) FROM read.events").scalar == "21")
        #expect(try await harness.pool.query("SELECT count(*) FROM read.strict").scalar == "0")
    }

    @Test func changedSQLWithoutVersionBumpIsRefused() async throws {
        let harness = try await ProjectionHarness.make()
        let first = try ProjectionHarness.definition(name: "evolving", handles: ["project.created": "INSERT INTO t VALUES (1)"],
                                                     schema: "CREATE TABLE t (n int)")
        try await ProjectionCatalog(pool: harness.pool).register(first, partitions: 4)
        var changed = try ProjectionHarness.definition(name: "evolving", handles: ["project.created": "INSERT INTO t VALUES (2)"],
                                                       schema: "CREATE TABLE t (n int)")
        let error = await #expect(throws: ProjectionError.self) {
            try await ProjectionCatalog(pool: harness.pool).register(changed, partitions: 4)
        }
        #expect(error?.code == .changedWithoutVersionBump)
        #expect(error?.message.contains("bump \"version\"") == true)
        changed.version = 2
        #expect(try await ProjectionCatalog(pool: harness.pool).register(changed, partitions: 4) == .building)
    }
}

@Suite struct RebuildChangedTests {
    @Test func changedFilesBecomeTheNextVersionOnlyWhenAsked() async throws {
        let harness = try await ProjectionHarness.make()
        let catalog = ProjectionCatalog(pool: harness.pool)
        let first = try ProjectionHarness.definition(name: "evolving", handles: ["project.created": "INSERT INTO t VALUES (1)"],
                                                     schema: "CREATE TABLE t (n int)")
        #expect(try await catalog.versionForChangedFiles(first).version == 1)
        try await catalog.register(first, partitions: 4)
        #expect(try await catalog.versionForChangedFiles(first).version == 1)
        let changed = try ProjectionHarness.definition(name: "evolving", handles: ["project.created": "INSERT INTO t VALUES (2)"],
                                                       schema: "CREATE TABLE t (n int)")
        let next = try await catalog.versionForChangedFiles(changed)
        #expect(next.version == 2)
        _ = try await harness.log.append(ProjectorTests.project())
        try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: next).run()
        #expect(try await harness.pool.query("SELECT n FROM read.t").scalar == "2")
        #expect(try await catalog.versionForChangedFiles(changed).version == 2)
    }
}

@Suite struct CorruptEntryTests {
    /// A raw XADD bypassing berrys_append: the projector applies what comes before it, faults
    /// there with the position, and goes on past it only after an explicit skip.
    @Test func corruptEntryFaultsUntilSkippedExplicitly() async throws {
        let harness = try await ProjectionHarness.make(partitions: 1)
        let counting = try ProjectionHarness.definition(
            name: "counting", handles: ["project.created": "UPDATE totals SET n = n + 1"],
            schema: "CREATE TABLE totals (n int NOT NULL); INSERT INTO totals VALUES (0);")
        for _ in 0..<3 { _ = try await harness.log.append(ProjectorTests.project()) }
        let raw = try TestServers.run("redis-cli", ["-u", TestServers.redisURL, "XADD", harness.log.configuration.streamKey(partition: 0),
                                                    "*", "specversion", "1.0", "id", "raw"]).trimmingCharacters(in: .whitespacesAndNewlines)
        for _ in 0..<2 { _ = try await harness.log.append(ProjectorTests.project()) }
        try await harness.project([counting])
        let row = try await harness.pool.query("SELECT state, faulted_position, error FROM berrys.projections WHERE name = 'counting'").rows[0]
        #expect(try row.text("state") == "faulted")
        #expect(try row.text("faulted_position") == "0-\(raw)")
        #expect(try row.text("error")?.contains("is not a valid event") == true)
        #expect(try await harness.pool.query("SELECT n FROM read.totals").scalar == "3")

        let catalog = ProjectionCatalog(pool: harness.pool)
        try await catalog.skip(name: "counting", position: Position("0-\(raw)")!, by: "test", reason: "raw XADD")
        try await catalog.resume(name: "counting")
        try await harness.project([counting])
        #expect(try await harness.pool.query("SELECT n FROM read.totals").scalar == "5")
        #expect(try await harness.pool.query("SELECT state FROM berrys.projections WHERE name = 'counting'").scalar == "live")
    }
}
