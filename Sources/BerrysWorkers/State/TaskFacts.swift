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
        /// The sequence of the task's latest event recorded here, of any task type; nil for a
        /// task recorded before this was kept (only its status events were).
        let sequence: Int?
    }

    let postgres: PostgresPool

    func createTables() async throws {
        try await WorkerState.create(on: postgres, """
            CREATE TABLE IF NOT EXISTS worker_state.tasks (
                task_id uuid PRIMARY KEY, plan_id uuid NOT NULL, name text NOT NULL, description text,
                priority text NOT NULL, due_date text, status text NOT NULL, sequence bigint NOT NULL);
            ALTER TABLE worker_state.tasks ADD COLUMN IF NOT EXISTS last_sequence bigint NOT NULL DEFAULT 0
            """)
    }

    /// Records `task.created` / `task.status_changed`, and the sequence of the task's other
    /// events (`task.assigned`, `task.dependency.added`). - Returns: false for other types.
    func record(_ event: EventEnvelope) async throws -> Bool {
        let sequence = event.sequence ?? 0
        switch event.type {
        case TaskCreated.eventType:
            let task = try TaskCreated(json: event.data)
            try await postgres.query("""
                INSERT INTO worker_state.tasks (task_id, plan_id, name, description, priority, due_date, status, sequence, last_sequence)
                VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, 'PLANNED', $7, $7)
                ON CONFLICT (task_id) DO UPDATE SET last_sequence = GREATEST(tasks.last_sequence, $7)
                """, [task.taskID, task.planID, task.name, task.description, task.priority.rawValue, task.dueDate, sequence])
            return true
        case TaskStatusChanged.eventType:
            let change = try TaskStatusChanged(json: event.data)
            try await postgres.query("""
                UPDATE worker_state.tasks SET status = CASE WHEN sequence < $3 THEN $2 ELSE status END,
                    sequence = GREATEST(sequence, $3), last_sequence = GREATEST(last_sequence, $3)
                WHERE task_id = $1::uuid
                """, [change.taskID, change.newStatus.rawValue, sequence])
            return true
        case TaskAssigned.eventType, TaskDependencyAdded.eventType:
            try await postgres.query("""
                UPDATE worker_state.tasks SET last_sequence = GREATEST(last_sequence, $2) WHERE task_id = $1::uuid
                """, [event.subject, sequence])
            return true
        default:
            return false
        }
    }

    func task(_ id: String) async throws -> KnownTask? {
        let result = try await postgres.query("""
            SELECT task_id::text, plan_id::text, name, description, priority, due_date, status, sequence, last_sequence FROM worker_state.tasks WHERE task_id = $1::uuid
            """, [id])
        guard let row = result.rows.first else { return nil }
        return try Self.knownTask(row)
    }

    /// Records the `task.created` / `task.status_changed` events of a batch and returns the facts
    /// of the `wanted` tasks (as before the batch, see below).
    func record(batch events: [EventEnvelope], andRead wanted: [String]) async throws -> [String: KnownTask] {
        var created: [JSON] = [], changed: [JSON] = []
        for event in events {
            let sequence = JSON.number(Double(event.sequence ?? 0))
            switch event.type {
            case TaskCreated.eventType:
                let task = try TaskCreated(json: event.data)
                created.append(.object(["task_id": .string(task.taskID), "plan_id": .string(task.planID), "name": .string(task.name),
                                        "description": task.description.map(JSON.string) ?? .null, "priority": .string(task.priority.rawValue),
                                        "due_date": task.dueDate.map(JSON.string) ?? .null, "sequence": sequence]))
            case TaskStatusChanged.eventType:
                let change = try TaskStatusChanged(json: event.data)
                changed.append(.object(["task_id": .string(change.taskID), "status": .string(change.newStatus.rawValue), "sequence": sequence]))
            default:
                continue
            }
        }
        guard !created.isEmpty || !changed.isEmpty || !wanted.isEmpty else { return [:] }
        // One statement, one round trip, one commit. Its read does not see its own writes, which
        // is right: a batch never holds two events of one task (they share a partition key).
        let rows = try await postgres.query("""
            WITH created AS (
                INSERT INTO worker_state.tasks (task_id, plan_id, name, description, priority, due_date, status, sequence, last_sequence)
                SELECT task_id, plan_id, name, description, priority, due_date, 'PLANNED', sequence, sequence
                FROM jsonb_to_recordset($1::jsonb) AS t(task_id uuid, plan_id uuid, name text, description text,
                                                      priority text, due_date text, sequence bigint)
                ON CONFLICT (task_id) DO NOTHING
            ), changed AS (
                UPDATE worker_state.tasks t SET status = c.status, sequence = c.sequence,
                    last_sequence = GREATEST(t.last_sequence, c.sequence)
                FROM jsonb_to_recordset($2::jsonb) AS c(task_id uuid, status text, sequence bigint)
                WHERE t.task_id = c.task_id AND t.sequence < c.sequence
            )
            SELECT task_id::text, plan_id::text, name, description, priority, due_date, status, sequence, last_sequence FROM worker_state.tasks
            WHERE task_id IN (SELECT value::uuid FROM jsonb_array_elements_text($3::jsonb))
            """, [JSON.array(created).serialized, JSON.array(changed).serialized, JSON.array(wanted.map(JSON.string)).serialized])
        var facts: [String: KnownTask] = [:]
        for row in rows.rows {
            if let task = try Self.knownTask(row) { facts[task.taskID] = task }
        }
        return facts
    }

    static func knownTask(_ row: PostgresRow) throws -> KnownTask? {
        guard let taskID = try row.text("task_id"), let planID = try row.text("plan_id"),
              let name = try row.text("name"), let priority = try row.text("priority"),
              let status = try row.text("status").flatMap(TaskStatus.init(rawValue:)) else { return nil }
        // A row from before `last_sequence` was kept has 0 there: its latest sequence is unknown.
        let sequence = try row.int("last_sequence").flatMap { $0 > 0 ? max($0, try row.int("sequence") ?? 0) : nil }
        return KnownTask(taskID: taskID, planID: planID, name: name, description: try row.text("description"), priority: priority,
                         dueDate: try row.text("due_date"), status: status, sequence: sequence)
    }
}
