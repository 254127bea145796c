import ArgumentParser
import BerrysDomain
import CommandSupport
import EventLog
import Foundation

/// The generated Berrys events the replay and retention benchmarks publish.
enum BenchWorkload {
    /// What the events are.
    enum Mix: String, CaseIterable, ExpressibleByArgument, Sendable {
        /// Agents through their lifecycle: per agent a creation, two status changes and a
        /// specialization, and a project (four events in five belong to the agents read model).
        case lifecycle
        /// The platform at work: per agent its creation and two status changes, a project and a
        /// plan, then two tasks, each assigned, run as an execution (queued, preparing, running,
        /// three progress reports, completed), calling tools and a model, and messaging.
        case platform
    }

    static func publish(_ count: Int, mix: Mix = .lifecycle, to log: EventLog) async throws {
        let perPublisher = count / 2
        try await withThrowingTaskGroup(of: Void.self) { group in
            for publisher in 0..<2 {
                group.addTask {
                    var produced = 0
                    while produced < perPublisher {
                        let chunk = try drafts(min(1000, perPublisher - produced), mix: mix).map { try log.prepare($0) }
                        for result in try await log.appendBatch(chunk) {
                            if case .failure(let error) = result { throw error }
                        }
                        produced += chunk.count
                        if publisher == 0, produced % 100_000 < 1000 { printError("… \(produced * 2) events") }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// `count` events of the mix, in whole groups per agent (the last one cut).
    static func drafts(_ count: Int, mix: Mix) throws -> [EventDraft] {
        var drafts: [EventDraft] = []
        drafts.reserveCapacity(count + 60)
        while drafts.count < count {
            drafts += try mix == .lifecycle ? lifecycle() : platform()
        }
        return Array(drafts.prefix(count))
    }

    private static func id() -> String { UUID().uuidString.lowercased() }

    /// An agent created and made ready (CREATED → INITIALIZING → READY).
    private static func readyAgent(_ agent: String) throws -> [EventDraft] {
        [
            try AgentCreated(agentID: agent, name: "Agent \(agent.prefix(6))", agentType: .assistant,
                             configuration: .object(["temperature": .number(0.2)]), specializations: ["research"]).draft(),
            try AgentStatusChanged(agentID: agent, previousStatus: .inactive, newStatus: .inactive,
                                   previousStateDetail: .created, newStateDetail: .initializing).draft(),
            try AgentStatusChanged(agentID: agent, previousStatus: .inactive, newStatus: .inactive,
                                   previousStateDetail: .initializing, newStateDetail: .ready).draft(),
        ]
    }

    private static func lifecycle() throws -> [EventDraft] {
        let agent = id()
        return try readyAgent(agent) + [
            try AgentSpecializationAdded(agentID: agent, specialization: "summaries").draft(),
            try ProjectCreated(projectID: id(), name: "Project", ownerID: agent).draft(),
        ]
    }

    private static func platform() throws -> [EventDraft] {
        let agent = id(), project = id(), plan = id(), tool = id()
        var drafts = try readyAgent(agent) + [
            try ProjectCreated(projectID: project, name: "Project", ownerID: agent).draft(),
            try PlanCreated(planID: plan, projectID: project, name: "Plan").draft(),
        ]
        for index in 0..<2 {
            let task = id(), execution = id(), message = id()
            drafts += [
                try TaskCreated(taskID: task, planID: plan, name: "task \(index)", priority: .high).draft(),
                try TaskAssigned(taskID: task, planID: plan, agentID: agent).draft(),
                try TaskStatusChanged(taskID: task, planID: plan, previousStatus: .planned, newStatus: .inProgress).draft(),
                try AgentExecutionQueued(executionID: execution, agentID: agent, taskID: task, title: "run", priority: .normal).draft(),
                try AgentExecutionStateChanged(executionID: execution, agentID: agent, previousState: .queued, newState: .preparing).draft(),
                try AgentExecutionStateChanged(executionID: execution, agentID: agent, previousState: .preparing, newState: .running).draft(),
            ]
            for percentage in [25.0, 50, 75] {
                drafts.append(try AgentExecutionProgress(executionID: execution, agentID: agent, progressPercentage: percentage).draft())
                drafts.append(try ToolExecuted(executionID: id(), toolID: tool, agentID: agent, success: true, durationMs: 12).draft())
            }
            drafts += [
                try ModelRequestCompleted(requestID: id(), modelID: "anthropic/claude", agentID: agent,
                                          tokensIn: 800, tokensOut: 200, latencyMs: 900, cost: 0.01).draft(),
                try AgentMessageSent(messageID: message, fromAgentID: agent, routing: .topic("progress"), content: "step \(index) done", priority: 2).draft(),
                try AgentMessageDelivered(messageID: message, recipientID: agent, topic: "progress").draft(),
                try AgentExecutionCompleted(executionID: execution, agentID: agent, taskID: task, outcome: .completed,
                                            result: .object(["ok": .bool(true)])).draft(),
                try TaskStatusChanged(taskID: task, planID: plan, previousStatus: .inProgress, newStatus: .completed).draft(),
            ]
        }
        return drafts
    }
}
