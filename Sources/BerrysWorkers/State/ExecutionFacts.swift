import BerrysDomain
import EventLog
import PostgresClient

/// What the deadlines worker keeps about each execution, from the execution's own events, in
/// `worker_state.executions`: its state and the sequence of its latest event. Writes are
/// guarded by the sequence, so a redelivered event changes nothing.
struct ExecutionFacts: Sendable {
    struct KnownExecution: Sendable {
        let executionID: String
        let agentID: String
        let taskID: String
        let state: ExecutionState
        let sequence: Int
    }

    let postgres: PostgresPool

    func createTables() async throws {
        try await WorkerState.create(on: postgres, """
            CREATE TABLE IF NOT EXISTS worker_state.executions (
                execution_id uuid PRIMARY KEY, agent_id uuid NOT NULL, task_id uuid NOT NULL,
                state text NOT NULL, sequence bigint NOT NULL)
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

    func execution(_ id: String) async throws -> KnownExecution? {
        let result = try await postgres.query("""
            SELECT execution_id::text, agent_id::text, task_id::text, state, sequence FROM worker_state.executions WHERE execution_id = $1::uuid
            """, [id])
        guard let row = result.rows.first, let executionID = try row.text("execution_id"), let agentID = try row.text("agent_id"),
              let taskID = try row.text("task_id"), let state = try row.text("state").flatMap(ExecutionState.init(rawValue:)),
              let sequence = try row.int("sequence") else { return nil }
        return KnownExecution(executionID: executionID, agentID: agentID, taskID: taskID, state: state, sequence: sequence)
    }
}
