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
///   expected sequence; `execution-to-task` then fails the task as for any failure. When the log
///   already holds later events of the execution (it completed as the deadline fired), the
///   failure waits until they are handled here, and an end among them cancels it.
/// - `task.created` with a `due_date`: holds `task.overdue` for it; a final task status
///   (COMPLETED, CANCELLED) cancels it.
///
/// Held events are appended when due by any process's firer, also after downtime across the
/// deadline, each exactly once.
public struct DeadlineWorker: Worker {
    public let name = "deadlines"
    public let emittedTypes: Set<String> = [TaskOverdue.eventType, AgentExecutionDeadlineExceeded.eventType, AgentExecutionStateChanged.eventType,
                                                 AgentExecutionCompleted.eventType]
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
        switch event.type {
        case AgentExecutionDeadlineExceeded.eventType:
            let exceeded = try AgentExecutionDeadlineExceeded(json: event.data)
            guard let execution = try await facts.execution(exceeded.executionID) else {
                throw WorkerError.permanent("execution \(exceeded.executionID) was never queued (no agent.execution.queued recorded)")
            }
            return try await fail(execution, deadline: (event.id, exceeded.deadline), facts: facts, context: context)
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
        // A deadline that passed while later events of the execution were still to come here
        // fails it now, from the state they made (unless one of them ended it).
        if let execution = try await facts.execution(event.subject), let pending = execution.pendingDeadline,
           !WorkStateMachines.execution.isFinal(execution.state) {
            return try await fail(execution, deadline: pending, facts: facts, context: context)
        }
        return []
    }

    /// The steps that fail an execution whose deadline passed: none when it already ended, or
    /// later when the log holds events of it this worker has not handled yet.
    ///
    /// Those later events (its completion, appended while the deadline fired, say) share the
    /// execution's partition key, so they come here only after this event: steps expected at
    /// the sequence known here would be refused for as long as they wait behind it, and an
    /// ordering the platform itself creates would block the execution's key. So the failure is
    /// noted and made when this worker has caught up with the execution.
    private func fail(_ execution: ExecutionFacts.KnownExecution, deadline: (eventID: String, deadline: String),
                      facts: ExecutionFacts, context: WorkerContext) async throws -> [EventDraft] {
        let path = Self.path(from: execution.state)
        if path.isEmpty {
            context.logger.info("execution \(execution.executionID) is \(execution.state.rawValue); its passed deadline changes nothing")
            return []
        }
        let current = try await context.log.currentSequence(subject: execution.executionID)
        if current > execution.sequence {
            try await facts.deferFailure(execution.executionID, eventID: deadline.eventID, deadline: deadline.deadline)
            context.logger.info("""
                execution \(execution.executionID) has events after \(execution.sequence) (now \(current)) not handled here yet; \
                it fails once they are, if none of them ends it
                """)
            return []
        }
        var drafts = try path.map { step in
            var draft = try AgentExecutionStateChanged(executionID: execution.executionID, agentID: execution.agentID,
                                                       previousState: step.from, newState: step.to, reason: Self.reason).draft()
            draft.id = stepID(deadline.eventID, step.to.rawValue)
            return draft
        }
        var completed = try AgentExecutionCompleted(executionID: execution.executionID, agentID: execution.agentID, taskID: execution.taskID,
                                                    outcome: .failed, errorMessage: "\(Self.reason) (\(deadline.deadline))").draft()
        completed.id = stepID(deadline.eventID, "completed")
        drafts.append(completed)
        return drafts.enumerated().map { offset, draft in
            var draft = draft
            draft.expected = .exactly(execution.sequence + offset)
            return draft
        }
    }

    /// A failing step's id: from the deadline event and the step's target, so that a step made
    /// later from another state never reuses the id of one that was not published.
    private func stepID(_ deadlineEventID: String, _ target: String) -> String {
        DeterministicID.uuid("berrys/worker/\(name)/\(deadlineEventID)/\(target)")
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
