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
public struct ExecutionToTaskWorker: Worker {
    public let name = "execution-to-task"
    public let handledTypes: Set<String> = [AgentExecutionCompleted.eventType, TaskCreated.eventType, TaskStatusChanged.eventType]

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
            throw WorkerError.permanent("task \(completed.taskID) of execution \(completed.executionID) is not known (no task.created seen)")
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
        return try path.map { step in
            try TaskStatusChanged(taskID: task.taskID, planID: task.planID, previousStatus: step.from, newStatus: step.to,
                                  reason: step.to == .failed ? completed.errorMessage : "execution \(completed.executionID)",
                                  result: step.to == .completed ? completed.result : nil).draft()
        }
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
