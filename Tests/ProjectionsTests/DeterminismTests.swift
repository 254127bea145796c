import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import PostgresClient
@testable import Projections
import TestSupport
import Testing

/// Every shipped projection gives the same tables live, rebuilt, and rebuilt with the
/// partitions consumed in other orders.
@Suite struct DeterminismTests {
    /// A mixed workload: agents going through valid and invalid changes, specializations, updates, projects.
    static func workload(_ log: EventLog) async throws {
        var drafts: [EventDraft] = []
        let agents = (0..<40).map { _ in UUID().uuidString.lowercased() }
        for (index, agent) in agents.enumerated() {
            drafts.append(index % 2 == 0
                ? EventDraft(type: "agent.created", data: .object(["agent_id": .string(agent), "name": .string("A\(index)"), "type": .string("CUSTOM")]), dataVersion: 1)
                : try AgentCreated(agentID: agent, name: "B\(index)", agentType: .assistant, specializations: ["x"]).draft())
        }
        for agent in agents {
            drafts.append(try PlatformProjectionTests.statusChange(agent, (.inactive, .created), (.inactive, .initializing)))
            drafts.append(try PlatformProjectionTests.statusChange(agent, (.inactive, .initializing), (.inactive, .ready)))
            drafts.append(try PlatformProjectionTests.statusChange(agent, (.inactive, .ready), (.busy, .ready)))  // rejected
            drafts.append(try AgentSpecializationAdded(agentID: agent, specialization: "s\(agent.prefix(2))").draft())
            drafts.append(try AgentUpdated(agentID: agent, changes: AgentChanges(description: "d")).draft())
            drafts.append(ProjectorTests.project())
        }
        for draft in drafts { _ = try await log.append(draft) }
    }

    static func renamed(_ definition: ProjectionDefinition, version: Int) -> ProjectionDefinition {
        var copy = definition
        copy.version = version
        copy.checksum += "-v\(version)"
        return copy
    }

    @Test(arguments: ["archive", "platform"])
    func liveRebuiltAndReorderedBuildsAreIdentical(_ name: String) async throws {
        let harness = try await ProjectionHarness.make()
        try await Self.workload(harness.log)
        let live = name == "archive" ? try ProjectionHarness.archive : try ProjectionHarness.platform
        try await harness.project([live])
        let builds: [(Int, [Int]?)] = [(2, nil), (3, [3, 2, 1, 0]), (4, [1, 3, 0, 2])]
        for (version, order) in builds {
            try await ProjectionBuilder(log: harness.log, pool: harness.pool, definition: Self.renamed(live, version: version),
                                        batchSize: 13, partitionOrder: order).run()
        }
        let tables = try await harness.pool.query("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'
            """, [live.schemaName]).values.compactMap { $0[0] }
        #expect(!tables.isEmpty)
        for table in tables {
            let rows = try await harness.pool.query("SELECT count(*) FROM \(live.schemaName).\(table)").scalar
            #expect(rows != "0", "\(table) is empty: the workload does not exercise it")
            for (version, _) in builds {
                let other = "proj_\(name)_v\(version)"
                let difference = try await harness.pool.query("""
                    SELECT count(*) FROM ((SELECT * FROM \(live.schemaName).\(table) EXCEPT SELECT * FROM \(other).\(table))
                    UNION ALL (SELECT * FROM \(other).\(table) EXCEPT SELECT * FROM \(live.schemaName).\(table))) d
                    """).scalar
                #expect(difference == "0", "\(table): v1 and v\(version) differ")
            }
        }
    }
}
