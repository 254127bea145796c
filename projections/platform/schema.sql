-- Agents: one row per agent, owned by the agent's events (partition key = agent id).
CREATE TABLE agents (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text,
    agent_type text NOT NULL,
    project_id uuid,
    template_id uuid,
    status text NOT NULL DEFAULT 'INACTIVE',
    state_detail text NOT NULL DEFAULT 'CREATED',
    specializations text[] NOT NULL DEFAULT '{}',
    capabilities text[] NOT NULL DEFAULT '{}',
    configuration jsonb,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    last_active_at timestamptz NOT NULL
);
CREATE INDEX agents_status ON agents (status, id);
CREATE INDEX agents_type ON agents (agent_type, id);
CREATE INDEX agents_project ON agents (project_id, id);
CREATE INDEX agents_name ON agents (lower(name) text_pattern_ops);

-- One row per applied status change.
CREATE TABLE agent_state_history (
    event_id text PRIMARY KEY,
    agent_id uuid NOT NULL,
    from_status text NOT NULL,
    to_status text NOT NULL,
    from_state_detail text NOT NULL,
    to_state_detail text NOT NULL,
    reason text,
    time timestamptz NOT NULL,
    sequence bigint NOT NULL
);
CREATE INDEX agent_state_history_agent ON agent_state_history (agent_id, sequence);

-- Events the state machines refused: visible and countable, never applied.
CREATE TABLE rejected_events (
    event_id text PRIMARY KEY,
    type text NOT NULL,
    subject text NOT NULL,
    reason text NOT NULL,
    time timestamptz NOT NULL,
    position text NOT NULL
);

-- Why an agent.status_changed event cannot be applied, or NULL when it can.
CREATE FUNCTION agent_status_change_problem(event jsonb) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN a.id IS NULL THEN 'agent ' || (event->'data'->>'agent_id') || ' does not exist'
        WHEN a.status <> event->'data'->>'previous_status' OR a.state_detail <> event->'data'->>'previous_state_detail'
            THEN 'agent is ' || a.status || '/' || a.state_detail || ', but the event says it was '
                 || (event->'data'->>'previous_status') || '/' || (event->'data'->>'previous_state_detail')
        WHEN event->'data'->>'new_status' = a.status AND event->'data'->>'new_state_detail' = a.state_detail
            THEN 'agent status change changes nothing (' || a.status || '/' || a.state_detail || ')'
        WHEN event->'data'->>'new_status' <> a.status AND NOT EXISTS (
                SELECT 1 FROM transitions t WHERE t.machine = 'agent status'
                AND t.from_state = a.status AND t.to_state = event->'data'->>'new_status')
            THEN 'agent status ' || a.status || ' → ' || (event->'data'->>'new_status') || ' is not allowed'
        WHEN event->'data'->>'new_state_detail' <> a.state_detail AND NOT EXISTS (
                SELECT 1 FROM transitions t WHERE t.machine = 'agent state detail'
                AND t.from_state = a.state_detail AND t.to_state = event->'data'->>'new_state_detail')
            THEN 'agent state detail ' || a.state_detail || ' → ' || (event->'data'->>'new_state_detail') || ' is not allowed'
    END
    FROM (SELECT 1) one LEFT JOIN agents a ON a.id = (event->'data'->>'agent_id')::uuid
$$;
