import BerrysDomain
import BerrysJSON
import EventLog
import Workers

/// The platform's adapter from planning to agents: on `task.assigned`, an
/// `agent.execution.queued` with a deterministic execution id, the task's name, description and
/// due date, and its priority mapped (HIGH/CRITICAL → critical, MEDIUM → normal, LOW → low).
///
/// It keeps what it needs from `task.created` in its own task facts (PostgreSQL, keyed by task
/// id); the task's events share its partition key, so the facts are there before the
/// assignment. An assignment of a task never created fails, is retried, then dead-lettered.
public struct PlanningToAgentWorker: Worker {
    public let name = "planning-to-agent"
    public let handledTypes: Set<String> = [TaskAssigned.eventType, TaskCreated.eventType, TaskStatusChanged.eventType]

    public init() {}

    public func prepare(_ context: WorkerContext) async throws {
        try await TaskFacts(postgres: try context.database()).createTables()
    }

    public func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        let facts = TaskFacts(postgres: try context.database())
        if try await facts.record(event) { return [] }
        let assigned = try TaskAssigned(json: event.data)
        guard let task = try await facts.task(assigned.taskID) else {
            throw WorkerError.permanent("task \(assigned.taskID) is not known (task.assigned seen before task.created)")
        }
        let queued = AgentExecutionQueued(
            executionID: DeterministicID.uuid("berrys/execution/\(event.id)"), agentID: assigned.agentID, taskID: assigned.taskID,
            title: task.name, description: task.description, priority: PriorityMapping.executionPriority(forTaskPriority: task.priority),
            deadline: task.dueDate)
        return [try queued.draft()]
    }
}
