-- Events the state machines refused: visible and countable, never applied.
CREATE TABLE rejected_events (
    event_id text PRIMARY KEY,
    type text NOT NULL,
    subject text NOT NULL,
    reason text NOT NULL,
    time timestamptz NOT NULL,
    position text NOT NULL
);

-- Projects and plans (owned by their ids). A plan's task counters are kept by task events
-- (another partition) as commutative deltas on their own columns.
CREATE TABLE projects (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text,
    owner_id uuid,
    status text NOT NULL DEFAULT 'DRAFT',
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE plans (
    id uuid PRIMARY KEY,
    project_id uuid,
    name text,
    description text,
    status text,
    tasks_total int NOT NULL DEFAULT 0,
    tasks_completed int NOT NULL DEFAULT 0,
    tasks_failed int NOT NULL DEFAULT 0,
    created_at timestamptz,
    updated_at timestamptz
);
CREATE INDEX plans_project ON plans (project_id, id);

-- Planning tasks (owned by task_id) and their dependencies.
CREATE TABLE planning_tasks (
    id uuid PRIMARY KEY,
    plan_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    priority text NOT NULL,
    status text NOT NULL DEFAULT 'PLANNED',
    assigned_agent_id uuid,
    due_date timestamptz,
    estimated_hours numeric,
    required_skills text[] NOT NULL DEFAULT '{}',
    result jsonb,
    -- When its due date passed before it reached a final status (task.overdue).
    overdue_at timestamptz,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX planning_tasks_plan ON planning_tasks (plan_id, status, id);
CREATE TABLE task_dependencies (
    task_id uuid NOT NULL,
    depends_on_task_id uuid NOT NULL,
    dependency_type text NOT NULL,
    PRIMARY KEY (task_id, depends_on_task_id)
);

-- Adds `delta` to the plan's counter for `status` (total for NULL), creating the row if the
-- plan's own events have not been applied yet. Tasks of one plan are in other partitions than
-- the plan, so batches deadlock on plan rows, and every such cycle has a count in it; PostgreSQL
-- finds a deadlock only after deadlock_timeout (1 s), so a count waits at most 100 ms for a row
-- (lock_not_available is transient: the batch is rolled back and applied again).
CREATE FUNCTION count_task(plan uuid, status text, delta int) RETURNS void LANGUAGE plpgsql
    SET lock_timeout = '100ms' AS $$
BEGIN
    INSERT INTO plans (id, tasks_total, tasks_completed, tasks_failed)
    VALUES (plan, CASE WHEN status IS NULL THEN delta ELSE 0 END,
            CASE WHEN status = 'COMPLETED' THEN delta ELSE 0 END, CASE WHEN status = 'FAILED' THEN delta ELSE 0 END)
    ON CONFLICT (id) DO UPDATE SET
        tasks_total = plans.tasks_total + EXCLUDED.tasks_total,
        tasks_completed = plans.tasks_completed + EXCLUDED.tasks_completed,
        tasks_failed = plans.tasks_failed + EXCLUDED.tasks_failed;
END
$$;
