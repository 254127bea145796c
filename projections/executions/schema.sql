-- Events the state machines refused: visible and countable, never applied.
CREATE TABLE rejected_events (
    event_id text PRIMARY KEY,
    type text NOT NULL,
    subject text NOT NULL,
    reason text NOT NULL,
    time timestamptz NOT NULL,
    position text NOT NULL
);

-- Why a single-machine status change cannot be applied (current state from the read model,
-- previous/new from the event), or NULL when it can.
CREATE FUNCTION status_change_problem(machine text, entity text, current_state text, previous_state text, new_state text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF current_state IS NULL THEN
        RETURN entity || ' does not exist';
    END IF;
    IF current_state <> previous_state THEN
        RETURN entity || ' is ' || current_state || ', but the event says it was ' || previous_state;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM transitions t WHERE t.machine = status_change_problem.machine
                   AND t.from_state = current_state AND t.to_state = new_state) THEN
        RETURN machine || ' ' || current_state || ' → ' || new_state || ' is not allowed';
    END IF;
    RETURN NULL;
END
$$;

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
    version bigint NOT NULL
);
CREATE INDEX agent_executions_agent ON agent_executions (agent_id, queued_at);
