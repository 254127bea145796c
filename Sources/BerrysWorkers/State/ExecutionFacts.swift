import BerrysDomain
import EventLog
import PostgresClient

/// What the deadlines worker keeps about each execution, from the execution's own events, in
/// `worker_state.executions`: its state, the sequence of its latest event, and the deadline
/// event whose failure waits for later events to be handled. Writes are guarded by the
/// sequence, so a redelivered event changes nothing.
struct ExecutionFacts: Sendable {
    struct KnownExecution: Sendable {
        let executionID: String
        let agentID: String
        let taskID: String
        let state: ExecutionState
        let sequence: Int
        /// The `agent.execution.deadline_exceeded` (its id and deadline) whose failing steps wait
        /// until this worker has handled the execution's later events (see `DeadlineWorker`).
        let pendingDeadline: (eventID: String, deadline: String)?
    }

    let postgres: PostgresPool

    func createTables() async throws {
        try await WorkerState.create(on: postgres, """
            CREATE TABLE IF NOT EXISTS worker_state.executions (
                execution_id uuid PRIMARY KEY, agent_id uuid NOT NULL, task_id uuid NOT NULL,
                state text NOT NULL, sequence bigint NOT NULL);
            ALTER TABLE worker_state.executions ADD COLUMN IF NOT EXISTS pending_deadline uuid;
            ALTER TABLE worker_state.executions ADD COLUMN IF NOT EXISTS pending_deadline_at text
            """)
    }

    /// Records a queued execution, a state change, an end (`agent.execution.completed`), or
    /// the sequence of its other events.
    func record(_ event: EventEnvelope) async throws {
        let sequence = event.sequence ?? 0
        switch event.type {
        case AgentExecutionQueued.eventType:
            let queued = try AgentExecutionQueued(json: event.data)
            try await postgres.query("""
                INSERT INTO worker_state.executions (execution_id, agent_id, task_id, state, sequence)
                VALUES ($1::uuid, $2::uuid, $3::uuid, 'QUEUED', $4)
                ON CONFLICT (execution_id) DO UPDATE SET sequence = GREATEST(executions.sequence, $4)
                """, [queued.executionID, queued.agentID, queued.taskID, sequence])
        case AgentExecutionStateChanged.eventType:
            let change = try AgentExecutionStateChanged(json: event.data)
            try await setState(change.executionID, change.newState.rawValue, sequence: sequence)
        case AgentExecutionCompleted.eventType:
            let completed = try AgentExecutionCompleted(json: event.data)
            try await setState(completed.executionID, completed.outcome.rawValue, sequence: sequence)
        default:
            try await postgres.query("""
                UPDATE worker_state.executions SET sequence = GREATEST(sequence, $2) WHERE execution_id = $1::uuid
                """, [event.subject, sequence])
        }
    }

    private func setState(_ execution: String, _ state: String, sequence: Int) async throws {
        try await postgres.query("""
            UPDATE worker_state.executions SET state = CASE WHEN sequence < $3 THEN $2 ELSE state END,
                sequence = GREATEST(sequence, $3)
            WHERE execution_id = $1::uuid
            """, [execution, state, sequence])
    }

    /// Notes that the deadline event `eventID` (for `deadline`) passed while later events of the
    /// execution were still to be handled here.
    func deferFailure(_ execution: String, eventID: String, deadline: String) async throws {
        try await postgres.query("""
            UPDATE worker_state.executions SET pending_deadline = $2::uuid, pending_deadline_at = $3 WHERE execution_id = $1::uuid
            """, [execution, eventID, deadline])
    }

    func execution(_ id: String) async throws -> KnownExecution? {
        let result = try await postgres.query("""
            SELECT execution_id::text, agent_id::text, task_id::text, state, sequence, pending_deadline::text, pending_deadline_at
            FROM worker_state.executions WHERE execution_id = $1::uuid
            """, [id])
        guard let row = result.rows.first, let executionID = try row.text("execution_id"), let agentID = try row.text("agent_id"),
              let taskID = try row.text("task_id"), let state = try row.text("state").flatMap(ExecutionState.init(rawValue:)),
              let sequence = try row.int("sequence") else { return nil }
        let pending = try row.text("pending_deadline").map { ($0, try row.text("pending_deadline_at") ?? "") }
        return KnownExecution(executionID: executionID, agentID: agentID, taskID: taskID, state: state, sequence: sequence,
                              pendingDeadline: pending)
    }
}
