-- Events the state machines refused: visible and countable, never applied.
CREATE TABLE rejected_events (
    event_id text PRIMARY KEY,
    type text NOT NULL,
    subject text NOT NULL,
    reason text NOT NULL,
    time timestamptz NOT NULL,
    position text NOT NULL
);

-- Executions: one row per execution (owned by execution_id).
CREATE TABLE agent_executions (
    id uuid PRIMARY KEY,
    agent_id uuid NOT NULL,
    task_id uuid NOT NULL,
    title text NOT NULL,
    description text,
    priority text NOT NULL,
    deadline timestamptz,
    state text NOT NULL,
    progress numeric NOT NULL DEFAULT 0,
    status_message text,
    result jsonb,
    error_message text,
    queued_at timestamptz NOT NULL,
    started_at timestamptz,
    completed_at timestamptz,
    -- When its deadline passed before it ended (agent.execution.deadline_exceeded).
    deadline_exceeded_at timestamptz,
    version bigint NOT NULL
);
CREATE INDEX agent_executions_agent ON agent_executions (agent_id, queued_at);
