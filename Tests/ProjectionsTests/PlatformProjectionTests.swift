import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import PostgresClient
@testable import Projections
import TestSupport
import Testing

/// The Berrys read models: a scenario of events ⇒ the expected rows.
@Suite struct PlatformProjectionTests {
    static func statusChange(_ agent: String, _ from: (AgentStatus, AgentStateDetail), _ to: (AgentStatus, AgentStateDetail),
                             reason: String? = nil) throws -> EventDraft {
        try AgentStatusChanged(agentID: agent, previousStatus: from.0, newStatus: to.0, previousStateDetail: from.1,
                               newStateDetail: to.1, reason: reason).draft()
    }

    @Test func agentLifecycleScenario() async throws {
        let harness = try await ProjectionHarness.make()
        let agent = UUID().uuidString.lowercased()
        let log = harness.log
        // v1 event: upcast to v2 for the handler (type → agent_type, specializations = []).
        _ = try await log.append(EventDraft(type: "agent.created", data: .object([
            "agent_id": .string(agent), "name": .string("Ada"), "type": .string("RESEARCHER")]), dataVersion: 1))
        _ = try await log.append(try Self.statusChange(agent, (.inactive, .created), (.inactive, .initializing)))
        _ = try await log.append(try Self.statusChange(agent, (.inactive, .initializing), (.inactive, .ready)))
        let forbidden = try await log.append(try Self.statusChange(agent, (.inactive, .ready), (.busy, .ready)))
        let stale = try await log.append(try Self.statusChange(agent, (.inactive, .created), (.inactive, .initializing)))
        _ = try await log.append(try Self.statusChange(agent, (.inactive, .ready), (.active, .active), reason: "assigned work"))
        _ = try await log.append(try AgentSpecializationAdded(agentID: agent, specialization: "search").draft())
        _ = try await log.append(try AgentSpecializationAdded(agentID: agent, specialization: "summaries").draft())
        _ = try await log.append(try AgentSpecializationRemoved(agentID: agent, specialization: "search").draft())
        _ = try await log.append(try AgentUpdated(agentID: agent, changes: AgentChanges(name: "Ada L.")).draft())
        try await harness.project(try ProjectionHarness.berrys)

        let row = try await harness.pool.query("""
            SELECT name, agent_type, status, state_detail, array_to_string(specializations, ','), version FROM read.agents WHERE id = $1::uuid
            """, [agent]).values
        #expect(row == [["Ada L.", "RESEARCHER", "ACTIVE", "ACTIVE", "summaries", "10"]])
        let history = try await harness.pool.query("""
            SELECT from_status || '/' || from_state_detail || '>' || to_status || '/' || to_state_detail
            FROM read.agent_state_history WHERE agent_id = $1::uuid ORDER BY sequence
            """, [agent]).values.map { $0[0] ?? "" }
        #expect(history == ["INACTIVE/CREATED>INACTIVE/INITIALIZING", "INACTIVE/INITIALIZING>INACTIVE/READY", "INACTIVE/READY>ACTIVE/ACTIVE"])
        let rejected = try await harness.pool.query("SELECT event_id, reason FROM read.rejected_events ORDER BY position").values
        #expect(rejected.count == 2)
        #expect(rejected.contains(where: { $0 == [forbidden.id, "agent status INACTIVE → BUSY is not allowed"] }))
        #expect(rejected.contains(where: { $0 == [stale.id, "agent is INACTIVE/READY, but the event says it was INACTIVE/CREATED"] }))
    }

    @Test func statusChangeForAnUnknownAgentIsRejected() async throws {
        let harness = try await ProjectionHarness.make()
        let ghost = UUID().uuidString.lowercased()
        _ = try await harness.log.append(try Self.statusChange(ghost, (.inactive, .created), (.inactive, .initializing)))
        try await harness.project(try ProjectionHarness.berrys)
        #expect(try await harness.pool.query("SELECT reason FROM read.rejected_events").scalar == "agent \(ghost) does not exist")
    }

    @Test func transitionsTableMatchesTheSwiftStateMachines() async throws {
        let harness = try await ProjectionHarness.make()
        try await ProjectionCatalog(pool: harness.pool).register(try ProjectionHarness.projection("agents"), partitions: 4)
        let rows = try await harness.pool.query("SELECT from_state, to_state FROM proj_agents_v1.transitions WHERE machine = 'agent status'").values
        let pairs = Set(rows.map { "\($0[0]!)>\($0[1]!)" })
        var expected: Set<String> = []
        for from in AgentStatus.allCases {
            for to in AgentStatus.allCases where AgentStateMachine.status.allows(from, to) { expected.insert("\(from.rawValue)>\(to.rawValue)") }
        }
        #expect(pairs == expected)
    }
}

@Suite struct PlanningProjectionTests {
    @Test func planProgressIsRightWhateverTheOrderOfPlanAndTaskEvents() async throws {
        let harness = try await ProjectionHarness.make()
        let agents = [UUID().uuidString.lowercased()]
        for draft in try DeterminismTests.planningWorkload(agents: agents) { _ = try await harness.log.append(draft) }
        try await harness.project(try ProjectionHarness.berrys)
        let plans = try await harness.pool.query("SELECT name, status, tasks_total, tasks_completed, tasks_failed FROM read.plans ORDER BY name").values
        #expect(plans == [["plan 0", "ACTIVE", "6", "4", "2"], ["plan 1", "ACTIVE", "6", "4", "2"], ["plan 2", "ACTIVE", "6", "4", "2"]])
        #expect(try await harness.pool.query("SELECT status FROM read.projects").scalar == "PLANNING")
        #expect(try await harness.pool.query("SELECT count(*) FROM read.planning_tasks WHERE assigned_agent_id IS NOT NULL").scalar == "18")
        #expect(try await harness.pool.query("SELECT count(*), min(state), min(progress) FROM read.agent_executions").values == [["18", "COMPLETED", "100"]])
        #expect(try await harness.pool.query("SELECT latest_version FROM read.agent_templates").scalar == "2")
        let reasons = try await harness.pool.query("SELECT reason FROM read.rejected_events ORDER BY reason").values.compactMap { $0[0] }
        #expect(reasons.count == 22, "16 task and project refusals from planning, 3 execution refusals from executions, in one view")
        #expect(reasons.contains { $0.hasPrefix("execution state COMPLETED") || $0.contains("is COMPLETED, but the event says it was QUEUED") })
        #expect(reasons.contains("project status PLANNING → ARCHIVED is not allowed"))
        #expect(reasons.contains { $0.hasSuffix("but the event says it was PLANNED") })
    }
}

extension PlanningProjectionTests {
    /// A task's count on its plan row waits at most 100 ms for the row (`lock_timeout`, so that
    /// a deadlock between partitions is broken at once); a longer wait rolls the batch back and
    /// applies it again, never faulting the projection or counting twice.
    @Test func aCountThatWaitsTooLongForThePlanRowIsAppliedAgainLater() async throws {
        let harness = try await ProjectionHarness.make()
        let planning = try ProjectionHarness.projection("planning")
        let plan = UUID().uuidString.lowercased()
        _ = try await harness.log.append(try PlanCreated(planID: plan, projectID: UUID().uuidString.lowercased(), name: "p").draft())
        _ = try await harness.log.append(try TaskCreated(taskID: UUID().uuidString.lowercased(), planID: plan, name: "a", priority: .high).draft())
        try await harness.project([planning])

        // Another session holds the plan row while the next task's count comes in.
        let holder = PostgresConnection(conninfo: harness.url)
        try await holder.execute("BEGIN")
        _ = try await holder.query("SELECT 1 FROM proj_planning_v2.plans WHERE id = $1::uuid FOR UPDATE", [plan])
        _ = try await harness.log.append(try TaskCreated(taskID: UUID().uuidString.lowercased(), planID: plan, name: "b", priority: .high).draft())
        let projecting = Task { try await harness.project([planning]) }
        try await eventually("the projection waiting for the row lock") {
            try await harness.pool.query("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """).scalar != "0"
        }
        #expect(try await harness.pool.query("SELECT tasks_total FROM read.plans").scalar == "1", "applied through a held lock")
        try await holder.execute("COMMIT")
        try await projecting.value
        #expect(try await harness.pool.query("SELECT tasks_total FROM read.plans").scalar == "2")
        #expect(try await harness.pool.query("SELECT count(*) FROM read.planning_tasks").scalar == "2")
        #expect(try await ProjectionCatalog(pool: harness.pool).state(of: planning) == .live)
        await holder.close()
    }
}

@Suite struct MessagingProjectionTests {
    @Test func inboxSubscriptionsModelUsageAndTools() async throws {
        let harness = try await ProjectionHarness.make()
        let agents = (0..<5).map { _ in UUID().uuidString.lowercased() }
        for agent in agents { _ = try await harness.log.append(try AgentCreated(agentID: agent, name: "a", agentType: .assistant, specializations: []).draft()) }
        for draft in try DeterminismTests.messagingWorkload(agents: agents) { _ = try await harness.log.append(draft) }
        try await harness.project(try ProjectionHarness.berrys)
        #expect(try await harness.pool.query("SELECT count(*) FROM read.topic_subscriptions WHERE topic = 'news'").scalar == "4")
        #expect(try await harness.pool.query("SELECT count(*) FROM read.agent_inbox WHERE recipient_id = $1::uuid", [agents[2]]).scalar == "8")
        #expect(try await harness.pool.query("SELECT count(*) FROM read.agent_inbox WHERE content IS NULL").scalar == "0")
        let usage = try await harness.pool.query("""
            SELECT requests, failures, tokens_in, tokens_out, total_cost, max_latency_ms, average_latency_ms FROM read.model_usage
            """).values
        #expect(usage == [["10", "1", "1000", "200", "0.10", "109", "104.5000000000000000"]])
        #expect(try await harness.pool.query("SELECT executions, failures, array_to_string(permissions, ',') FROM read.agent_tools").values == [["5", "1", "read"]])
    }
}
