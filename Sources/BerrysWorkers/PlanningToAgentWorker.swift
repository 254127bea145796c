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
public struct PlanningToAgentWorker: BatchWorker {
    public let name = "planning-to-agent"
    public let emittedTypes: Set<String> = [AgentExecutionQueued.eventType]
    public let handledTypes: Set<String> = [TaskAssigned.eventType, TaskCreated.eventType, TaskStatusChanged.eventType]

    /// The worker; it keeps no state in the process.
    public init() {}

    public func prepare(_ context: WorkerContext) async throws {
        try await TaskFacts(postgres: try context.database()).createTables()
    }

    public func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        try await handle(batch: [event], context: context)[0].get()
    }

    /// Records the batch's task facts and reads the assigned tasks' facts in one transaction,
    /// then builds one execution per assignment.
    public func handle(batch events: [EventEnvelope], context: WorkerContext) async throws -> [Result<[EventDraft], any Error>] {
        let assignments = try events.map { $0.type == TaskAssigned.eventType ? try TaskAssigned(json: $0.data) : nil }
        let facts = try await TaskFacts(postgres: try context.database())
            .record(batch: events, andRead: assignments.compactMap { $0?.taskID })
        return zip(events, assignments).map { event, assigned in
            guard let assigned else { return .success([]) }
            guard let task = facts[assigned.taskID] else {
                return .failure(WorkerError.permanent("task \(assigned.taskID) is not known (task.assigned seen before task.created)"))
            }
            return Result { [try Self.execution(for: assigned, of: task, causedBy: event).draft()] }
        }
    }

    static func execution(for assigned: TaskAssigned, of task: TaskFacts.KnownTask, causedBy event: EventEnvelope) -> AgentExecutionQueued {
        AgentExecutionQueued(
            executionID: DeterministicID.uuid("berrys/execution/\(event.id)"), agentID: assigned.agentID, taskID: assigned.taskID,
            title: task.name, description: task.description, priority: PriorityMapping.executionPriority(forTaskPriority: task.priority),
            deadline: task.dueDate)
    }
}
