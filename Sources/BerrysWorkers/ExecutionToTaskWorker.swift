import BerrysDomain
import BerrysJSON
import EventLog
import Workers

/// On `agent.execution.completed`: the originating task's `task.status_changed` (COMPLETED with
/// the result, FAILED with the error, CANCELLED).
///
/// The task's plan and current status come from the worker's task facts (kept from the task's
/// own events). When the task is not yet IN_PROGRESS, COMPLETED or FAILED is reached through
/// IN_PROGRESS so that every emitted change is valid in the task state machine; a task already
/// in a final state gets nothing.
///
/// Each change is emitted on the condition that the task's sequence is still the latest one this
/// worker has recorded (`expected`; the task's other events are recorded for that): when another
/// producer changed the task meanwhile, the append is refused and the event retried (transient)
/// until the worker has recorded that change, so no step is published twice or on top of a
/// state it was not computed from. A step's id is derived from the execution event and the
/// status it leads to, so a retry that takes a different path never reuses the id of a step it
/// did not publish.
public struct ExecutionToTaskWorker: Worker {
    public let name = "execution-to-task"
    public let emittedTypes: Set<String> = [TaskStatusChanged.eventType]
    public let handledTypes: Set<String> = [AgentExecutionCompleted.eventType, TaskCreated.eventType, TaskStatusChanged.eventType,
                                            TaskAssigned.eventType, TaskDependencyAdded.eventType]

    /// The worker; it keeps no state in the process.
    public init() {}

    public func prepare(_ context: WorkerContext) async throws {
        try await TaskFacts(postgres: try context.database()).createTables()
    }

    public func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        let facts = TaskFacts(postgres: try context.database())
        if try await facts.record(event) { return [] }
        let completed = try AgentExecutionCompleted(json: event.data)
        guard let task = try await facts.task(completed.taskID) else {
            throw try await Self.unknownTask(completed, log: context.log)
        }
        let target: TaskStatus
        switch completed.outcome {
        case .completed: target = .completed
        case .failed: target = .failed
        case .cancelled: target = .cancelled
        }
        let path = Self.path(from: task.status, to: target)
        if path.isEmpty {
            context.logger.info("task \(task.taskID) is \(task.status.rawValue); execution outcome \(target.rawValue) changes nothing")
        }
        return try path.enumerated().map { offset, step in
            var draft = try TaskStatusChanged(taskID: task.taskID, planID: task.planID, previousStatus: step.from, newStatus: step.to,
                                              reason: step.to == .failed ? completed.errorMessage : "execution \(completed.executionID)",
                                              result: step.to == .completed ? completed.result : nil).draft()
            draft.id = DeterministicID.uuid("berrys/worker/\(name)/\(event.id)/\(step.to.rawValue)")
            draft.expected = task.sequence.map { .exactly($0 + offset) } ?? .any
            return draft
        }
    }

    /// Why a completed execution's task has no facts here. The task's events are on the task's
    /// partition key, the execution's on the execution's: the task's partition may simply be
    /// behind (a process starting, a loaded machine), which only waiting cures (transient). Only
    /// a task the log itself does not hold is an error of the event (permanent).
    static func unknownTask(_ completed: AgentExecutionCompleted, log: EventLog) async throws -> WorkerError {
        let sequence = try await log.currentSequence(subject: completed.taskID)
        if sequence > 0 {
            return .transient("task \(completed.taskID) of execution \(completed.executionID) is in the log (sequence \(sequence)) "
                + "but this worker has not yet seen its task.created: its partition is behind")
        }
        return .permanent("task \(completed.taskID) of execution \(completed.executionID) is not known (not in the log)")
    }

    /// The valid steps from `current` to `target`: direct, through IN_PROGRESS, or none.
    static func path(from current: TaskStatus, to target: TaskStatus) -> [(from: TaskStatus, to: TaskStatus)] {
        let machine = WorkStateMachines.task
        if current == target || machine.isFinal(current) { return [] }
        if machine.allows(current, target) { return [(current, target)] }
        if machine.allows(current, .inProgress) && machine.allows(.inProgress, target) {
            return [(current, .inProgress), (.inProgress, target)]
        }
        return []
    }
}
