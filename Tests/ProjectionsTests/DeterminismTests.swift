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
            // After a refusal, the next change is judged from the state the refusal left (the
            // agents projection's batch handlers judge a batch in rounds): one applies, one is stale.
            drafts.append(try PlatformProjectionTests.statusChange(agent, (.inactive, .ready), (.active, .active)))
            drafts.append(try PlatformProjectionTests.statusChange(agent, (.inactive, .ready), (.active, .ready)))  // rejected
            drafts.append(try AgentSpecializationAdded(agentID: agent, specialization: "s\(agent.prefix(2))").draft())
            drafts.append(try AgentUpdated(agentID: agent, changes: AgentChanges(description: "d")).draft())
            drafts.append(ProjectorTests.project())
        }
        drafts += try planningWorkload(agents: agents)
        drafts += try messagingWorkload(agents: agents)
        for draft in drafts { _ = try await log.append(draft) }
    }

    /// Topic subscriptions and messages, models with usage, tools with their runs.
    static func messagingWorkload(agents: [String]) throws -> [EventDraft] {
        var drafts: [EventDraft] = []
        let id = { UUID().uuidString.lowercased() }
        for agent in agents.prefix(5) { drafts.append(try AgentTopicSubscribed(agentID: agent, topic: "news").draft()) }
        drafts.append(try AgentTopicUnsubscribed(agentID: agents[4], topic: "news").draft())
        for index in 0..<4 {
            let message = id()
            drafts.append(try AgentMessageSent(messageID: message, fromAgentID: agents[0], routing: .topic("news"), content: "m\(index)", priority: 2).draft())
            for recipient in agents.prefix(4) {
                drafts.append(try AgentMessageDelivered(messageID: message, recipientID: recipient, topic: "news").draft())
            }
            let direct = id()
            drafts.append(try AgentMessageSent(messageID: direct, fromAgentID: agents[1], routing: .direct(recipientID: agents[2]), content: "d", priority: 1).draft())
            drafts.append(try AgentMessageDelivered(messageID: direct, recipientID: agents[2]).draft())
        }
        drafts.append(try ModelRegistered(modelID: "anthropic/claude", provider: .anthropic, capabilities: ["chat"]).draft())
        for index in 0..<10 {
            drafts.append(try ModelRequestCompleted(requestID: id(), modelID: "anthropic/claude", agentID: agents[index % 3],
                                                    tokensIn: 100, tokensOut: 20, latencyMs: Double(100 + index), cost: 0.01).draft())
        }
        drafts.append(try ModelRequestFailed(requestID: id(), modelID: "anthropic/claude", errorCode: "RATE_LIMITED").draft())
        let tool = id()
        drafts.append(try ToolRegistered(toolID: tool, name: "search").draft())
        drafts.append(try ToolIntegrated(toolID: tool, agentID: agents[0], permissions: ["read"]).draft())
        for index in 0..<5 {
            drafts.append(try ToolExecuted(executionID: id(), toolID: tool, agentID: agents[0], success: index != 2, durationMs: 10).draft())
        }
        return drafts
    }

    /// Templates, executions, projects, plans and tasks, with valid and refused status changes.
    static func planningWorkload(agents: [String]) throws -> [EventDraft] {
        var drafts: [EventDraft] = []
        let id = { UUID().uuidString.lowercased() }
        let template = id()
        drafts.append(try AgentTemplateCreated(templateID: template, name: "T", agentType: .researcher, capabilities: ["search"]).draft())
        drafts.append(try AgentTemplateVersionPublished(templateID: template, versionNumber: 2, content: .object(["p": .string("x")])).draft())
        let project = id()
        drafts.append(try ProjectCreated(projectID: project, name: "P").draft())
        drafts.append(try ProjectStatusChanged(projectID: project, previousStatus: .draft, newStatus: .planning).draft())
        drafts.append(try ProjectStatusChanged(projectID: project, previousStatus: .planning, newStatus: .archived).draft())  // refused
        for planIndex in 0..<3 {
            let plan = id()
            var tasks: [String] = []
            for taskIndex in 0..<6 {
                let task = id()
                tasks.append(task)
                drafts.append(try TaskCreated(taskID: task, planID: plan, name: "t\(taskIndex)", priority: .high).draft())
                drafts.append(try TaskAssigned(taskID: task, planID: plan, agentID: agents[taskIndex % agents.count]).draft())
                drafts.append(try TaskStatusChanged(taskID: task, planID: plan, previousStatus: .planned, newStatus: .inProgress).draft())
                let outcome: TaskStatus = taskIndex % 3 == 0 ? .failed : .completed
                drafts.append(try TaskStatusChanged(taskID: task, planID: plan, previousStatus: .inProgress, newStatus: outcome).draft())
                drafts.append(try TaskStatusChanged(taskID: task, planID: plan, previousStatus: .planned, newStatus: .ready).draft())  // refused
                let execution = id()
                drafts.append(try AgentExecutionQueued(executionID: execution, agentID: agents[0], taskID: task, title: "t", priority: .critical).draft())
                drafts.append(try AgentExecutionStateChanged(executionID: execution, agentID: agents[0], previousState: .queued, newState: .preparing).draft())
                drafts.append(try AgentExecutionStateChanged(executionID: execution, agentID: agents[0], previousState: .preparing, newState: .running).draft())
                drafts.append(try AgentExecutionProgress(executionID: execution, agentID: agents[0], progressPercentage: 50).draft())
                drafts.append(try AgentExecutionCompleted(executionID: execution, agentID: agents[0], taskID: task, outcome: .completed,
                                                          result: .object(["ok": .bool(true)])).draft())
                if taskIndex == 0 {  // refused: the execution is COMPLETED, not QUEUED
                    drafts.append(try AgentExecutionStateChanged(executionID: execution, agentID: agents[0], previousState: .queued, newState: .running).draft())
                }
            }
            drafts.append(try TaskDependencyAdded(taskID: tasks[1], dependsOnTaskID: tasks[0], dependencyType: .finishToStart).draft())
            // The plan's own events after its tasks': progress must not depend on it.
            drafts.append(try PlanCreated(planID: plan, projectID: project, name: "plan \(planIndex)").draft())
            drafts.append(try PlanStatusChanged(planID: plan, previousStatus: .draft, newStatus: .active).draft())
        }
        return drafts
    }

    static func renamed(_ definition: ProjectionDefinition, version: Int) -> ProjectionDefinition {
        var copy = definition
        copy.version = version
        copy.checksum += "-v\(version)"
        return copy
    }

    @Test(arguments: ["archive", "agents", "executions", "templates", "messaging", "planning", "catalog"])
    func liveRebuiltAndReorderedBuildsAreIdentical(_ name: String) async throws {
        let harness = try await ProjectionHarness.make()
        try await Self.workload(harness.log)
        let live = try ProjectionHarness.projection(name)
        try await harness.project([live])
        let builds: [(Int, [Int]?)] = [(live.version + 1, nil), (live.version + 2, [3, 2, 1, 0]), (live.version + 3, [1, 3, 0, 2])]
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
                if difference != "0" {
                    let rows = try await harness.pool.query("""
                        (SELECT 'v1' AS side, * FROM \(live.schemaName).\(table) EXCEPT SELECT 'v1', * FROM \(other).\(table))
                        UNION ALL (SELECT 'other', * FROM \(other).\(table) EXCEPT SELECT 'other', * FROM \(live.schemaName).\(table))
                        """).values
                    Issue.record("\(table): v1 and v\(version) differ: \(rows)")
                }
            }
        }
    }
}
