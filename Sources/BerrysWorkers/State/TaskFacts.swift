import BerrysDomain
import BerrysJSON
import EventLog
import PostgresClient

/// What the planning workers keep about each task, from the task's own events, in
/// `worker_state.tasks`. Writes are guarded by the task's sequence, so a redelivered or
/// repeated event changes nothing.
struct TaskFacts: Sendable {
    struct KnownTask: Sendable {
        let taskID: String
        let planID: String
        let name: String
        let description: String?
        let priority: String
        let dueDate: String?
        let status: TaskStatus
    }

    let postgres: PostgresPool

    func createTables() async throws {
        try await WorkerState.create(on: postgres, """
            CREATE TABLE IF NOT EXISTS worker_state.tasks (
                task_id uuid PRIMARY KEY, plan_id uuid NOT NULL, name text NOT NULL, description text,
                priority text NOT NULL, due_date text, status text NOT NULL, sequence bigint NOT NULL)
            """)
    }

    /// Records `task.created` / `task.status_changed`. - Returns: false for other types.
    func record(_ event: EventEnvelope) async throws -> Bool {
        let sequence = event.sequence ?? 0
        switch event.type {
        case TaskCreated.eventType:
            let task = try TaskCreated(json: event.data)
            try await postgres.query("""
                INSERT INTO worker_state.tasks (task_id, plan_id, name, description, priority, due_date, status, sequence)
                VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, 'PLANNED', $7)
                ON CONFLICT (task_id) DO NOTHING
                """, [task.taskID, task.planID, task.name, task.description, task.priority.rawValue, task.dueDate, sequence])
            return true
        case TaskStatusChanged.eventType:
            let change = try TaskStatusChanged(json: event.data)
            try await postgres.query("""
                UPDATE worker_state.tasks SET status = $2, sequence = $3 WHERE task_id = $1::uuid AND sequence < $3
                """, [change.taskID, change.newStatus.rawValue, sequence])
            return true
        default:
            return false
        }
    }

    func task(_ id: String) async throws -> KnownTask? {
        let result = try await postgres.query("""
            SELECT task_id::text, plan_id::text, name, description, priority, due_date, status FROM worker_state.tasks WHERE task_id = $1::uuid
            """, [id])
        guard let row = result.rows.first, let taskID = try row.text("task_id"), let planID = try row.text("plan_id"),
              let name = try row.text("name"), let priority = try row.text("priority"),
              let status = try row.text("status").flatMap(TaskStatus.init(rawValue:)) else { return nil }
        return KnownTask(taskID: taskID, planID: planID, name: name, description: try row.text("description"), priority: priority,
                    dueDate: try row.text("due_date"), status: status)
    }
}
