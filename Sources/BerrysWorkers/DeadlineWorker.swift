import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import Workers

/// Enforces executions' deadlines and tasks' due dates with held events (`EventLog.schedule`).
///
/// - `agent.execution.queued` with a `deadline`: holds `agent.execution.deadline_exceeded` for
///   the deadline (its id derived from the execution, so a redelivery holds nothing twice); the
///   execution's end (`agent.execution.completed`, or a final `state_changed`) cancels it.
/// - `agent.execution.deadline_exceeded`, once appended: when the execution is not final, the
///   valid steps to FAILED (`state_changed`, through PREPARING from QUEUED) with the reason
///   `deadline exceeded`, and `agent.execution.completed` FAILED, each under the execution's
///   expected sequence; `execution-to-task` then fails the task as for any failure.
/// - `task.created` with a `due_date`: holds `task.overdue` for it; a final task status
///   (COMPLETED, CANCELLED) cancels it.
///
/// Held events are appended when due by any process's firer, also after downtime across the
/// deadline, each exactly once.
public struct DeadlineWorker: Worker {
    public let name = "deadlines"
    public let handledTypes: Set<String> = [
        AgentExecutionQueued.eventType, AgentExecutionStateChanged.eventType, AgentExecutionProgress.eventType,
        AgentExecutionCompleted.eventType, AgentExecutionDeadlineExceeded.eventType, TaskCreated.eventType, TaskStatusChanged.eventType,
    ]
    public static let reason = "deadline exceeded"

    /// The worker; it keeps no state in the process.
    public init() {}

    public func prepare(_ context: WorkerContext) async throws {
        try await ExecutionFacts(postgres: try context.database()).createTables()
    }

    public func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        switch event.type {
        case TaskCreated.eventType:
            let task = try TaskCreated(json: event.data)
            if let due = task.dueDate {
                try await hold(try TaskOverdue(taskID: task.taskID, planID: task.planID, dueDate: due).draft(),
                               id: Self.overdueID(task: task.taskID), at: due, context: context)
            }
            return []
        case TaskStatusChanged.eventType:
            let change = try TaskStatusChanged(json: event.data)
            if WorkStateMachines.task.isFinal(change.newStatus) {
                _ = try await context.log.cancelScheduled(id: Self.overdueID(task: change.taskID), partitionKey: change.taskID)
            }
            return []
        default:
            return try await handleExecution(event, context: context)
        }
    }

    private func handleExecution(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        let facts = ExecutionFacts(postgres: try context.database())
        // Every event of the execution is recorded first, the deadline's own too: it moved the
        // execution's sequence, which the failing steps are expected at.
        try await facts.record(event)
        if event.type == AgentExecutionDeadlineExceeded.eventType { return try await fail(event, facts: facts, context: context) }
        switch event.type {
        case AgentExecutionQueued.eventType:
            let queued = try AgentExecutionQueued(json: event.data)
            if let deadline = queued.deadline {
                let exceeded = AgentExecutionDeadlineExceeded(executionID: queued.executionID, agentID: queued.agentID,
                                                              taskID: queued.taskID, deadline: deadline)
                try await hold(try exceeded.draft(), id: Self.deadlineID(execution: queued.executionID), at: deadline, context: context)
            }
        case AgentExecutionCompleted.eventType:
            _ = try await context.log.cancelScheduled(id: Self.deadlineID(execution: event.subject), partitionKey: event.subject)
        case AgentExecutionStateChanged.eventType:
            let change = try AgentExecutionStateChanged(json: event.data)
            if WorkStateMachines.execution.isFinal(change.newState) {
                _ = try await context.log.cancelScheduled(id: Self.deadlineID(execution: change.executionID), partitionKey: change.executionID)
            }
        default:
            break
        }
        return []
    }

    /// The steps that fail an execution whose deadline passed; none when it already ended.
    private func fail(_ event: EventEnvelope, facts: ExecutionFacts, context: WorkerContext) async throws -> [EventDraft] {
        let exceeded = try AgentExecutionDeadlineExceeded(json: event.data)
        guard let execution = try await facts.execution(exceeded.executionID) else {
            throw WorkerError.permanent("execution \(exceeded.executionID) was never queued (no agent.execution.queued recorded)")
        }
        let path = Self.path(from: execution.state)
        if path.isEmpty {
            context.logger.info("execution \(execution.executionID) is \(execution.state.rawValue); its passed deadline changes nothing")
            return []
        }
        var drafts = try path.map { step in
            try AgentExecutionStateChanged(executionID: execution.executionID, agentID: execution.agentID, previousState: step.from,
                                           newState: step.to, reason: Self.reason).draft()
        }
        drafts.append(try AgentExecutionCompleted(executionID: execution.executionID, agentID: execution.agentID, taskID: execution.taskID,
                                                  outcome: .failed, errorMessage: "\(Self.reason) (\(exceeded.deadline))").draft())
        return drafts.enumerated().map { offset, draft in
            var draft = draft
            draft.id = DeterministicID.uuid("berrys/worker/\(name)/\(event.id)/\(offset)")
            draft.expected = .exactly(execution.sequence + offset)
            return draft
        }
    }

    /// Holds `draft` until `at` (RFC 3339) under `id`; a time already past appends it at once.
    private func hold(_ draft: EventDraft, id: String, at: String, context: WorkerContext) async throws {
        guard let date = Timestamp.parse(at) else {
            throw WorkerError.permanent("\(draft.type) for \(at): not an RFC 3339 time")
        }
        var draft = draft
        draft.id = id
        draft.deliverAt = date
        _ = try await context.log.append(draft)
    }

    /// The valid steps from `current` to FAILED: direct, through PREPARING, or none (ended).
    static func path(from current: ExecutionState) -> [(from: ExecutionState, to: ExecutionState)] {
        let machine = WorkStateMachines.execution
        if machine.isFinal(current) { return [] }
        if machine.allows(current, .failed) { return [(current, .failed)] }
        if machine.allows(current, .preparing) && machine.allows(.preparing, .failed) { return [(current, .preparing), (.preparing, .failed)] }
        return []
    }

    static func deadlineID(execution: String) -> String { DeterministicID.uuid("berrys/deadline/\(execution)") }
    static func overdueID(task: String) -> String { DeterministicID.uuid("berrys/overdue/\(task)") }
}
