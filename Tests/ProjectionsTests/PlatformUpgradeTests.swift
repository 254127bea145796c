import BerrysDomain
import EventLog
import Foundation
@testable import Projections
import TestSupport
import Testing

/// The upgrade from the former `platform` projection to the read models that replace it: each
/// is built side by side while `platform` keeps serving, takes its tables over at its
/// switch-over, and `platform` retires once all of them are taken over. Readers see the same
/// rows throughout.
@Suite struct PlatformUpgradeTests {
    static func viewSource(_ harness: ProjectionHarness, _ table: String) async throws -> String {
        try await harness.pool.query("SELECT definition FROM pg_views WHERE schemaname = 'read' AND viewname = $1", [table]).scalar ?? ""
    }

    /// The rows of `schema`.`table` and of its `read` view agree on every column `schema` has
    /// (a read model's later version may add columns: `deadline_exceeded_at`, `overdue_at`).
    static func sameRows(_ harness: ProjectionHarness, view table: String, as schema: String) async throws -> Bool {
        let columns = try await harness.pool.query("""
            SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = $2
            """, [schema, table]).scalar ?? "*"
        return try await harness.pool.query("""
            SELECT count(*) FROM ((SELECT \(columns) FROM read.\(table) EXCEPT ALL SELECT \(columns) FROM \(schema).\(table))
            UNION ALL (SELECT \(columns) FROM \(schema).\(table) EXCEPT ALL SELECT \(columns) FROM read.\(table))) d
            """).scalar == "0"
    }

    @Test func theReadModelsTakeOverPlatformOneByOneOnExistingData() async throws {
        let harness = try await ProjectionHarness.make()
        try await DeterminismTests.workload(harness.log)
        let platform = try ProjectionHarness.formerPlatform
        try await harness.project([try ProjectionHarness.archive, platform])
        let catalog = ProjectionCatalog(pool: harness.pool)
        let tables = try await harness.pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'proj_platform_v1' ORDER BY 1").values.compactMap { $0[0] }
        #expect(tables.count == 19)

        let berrys = try ProjectionHarness.berrys
        for definition in berrys {
            #expect(try await catalog.register(definition, partitions: harness.log.partitioner.partitions) == .building,
                    "\(definition.name) replaces a live projection: built side by side, not live at once")
        }
        #expect(try await Self.viewSource(harness, "agents").contains("proj_platform_v1"))

        // Agents first: its tables move, the others stay with platform, which keeps running.
        let agents = try #require(berrys.first { $0.name == "agents" })
        try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: agents).run()
        #expect(try await Self.viewSource(harness, "agents").contains("proj_agents_v1"))
        #expect(!(try await Self.viewSource(harness, "agents").contains("proj_platform_v1")))
        #expect(try await Self.viewSource(harness, "plans").contains("proj_platform_v1"))
        #expect(try await catalog.state(of: platform) == .live)
        let project = UUID().uuidString.lowercased()
        _ = try await harness.log.append(try ProjectCreated(projectID: project, name: "after the first switch-over").draft())
        try await harness.project(berrys)  // platform is not declared any more, yet it is still projected
        #expect(try await harness.pool.query("SELECT name FROM read.projects WHERE id = $1::uuid", [project]).scalar == "after the first switch-over")

        for definition in berrys where definition.name != "agents" {
            #expect(try await catalog.state(of: platform) == .live, "retired before \(definition.name) took its tables over")
            try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: definition).run()
        }
        #expect(try await catalog.state(of: platform) == .retired)
        for table in tables {
            let source = try await Self.viewSource(harness, table)
            #expect(!source.contains("proj_platform_v1"), "read.\(table) still reads platform: \(source)")
            #expect(try await Self.sameRows(harness, view: table, as: "proj_platform_v1"), "read.\(table) shows other rows than platform did")
        }
        #expect(try await Self.viewSource(harness, "rejected_events").contains("UNION ALL"))
        #expect(try await catalog.prune() == ["proj_platform_v1"])
        #expect(try await harness.pool.query("SELECT count(*) FROM read.agents").scalar == "40")
    }
}
