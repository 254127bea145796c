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

-- Why an agent.status_changed event cannot be applied, or NULL when it can. (PL/pgSQL, so its
-- queries are planned once per session rather than on every call.)
CREATE FUNCTION agent_status_change_problem(event jsonb) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    current_status text;
    current_detail text;
    new_status text := event->'data'->>'new_status';
    new_detail text := event->'data'->>'new_state_detail';
BEGIN
    SELECT a.status, a.state_detail INTO current_status, current_detail
    FROM agents a WHERE a.id = (event->'data'->>'agent_id')::uuid;
    IF NOT FOUND THEN
        RETURN 'agent ' || (event->'data'->>'agent_id') || ' does not exist';
    END IF;
    IF current_status <> event->'data'->>'previous_status' OR current_detail <> event->'data'->>'previous_state_detail' THEN
        RETURN 'agent is ' || current_status || '/' || current_detail || ', but the event says it was '
               || (event->'data'->>'previous_status') || '/' || (event->'data'->>'previous_state_detail');
    END IF;
    IF new_status = current_status AND new_detail = current_detail THEN
        RETURN 'agent status change changes nothing (' || current_status || '/' || current_detail || ')';
    END IF;
    IF new_status <> current_status AND NOT EXISTS (
            SELECT 1 FROM transitions t WHERE t.machine = 'agent status' AND t.from_state = current_status AND t.to_state = new_status) THEN
        RETURN 'agent status ' || current_status || ' → ' || new_status || ' is not allowed';
    END IF;
    IF new_detail <> current_detail AND NOT EXISTS (
            SELECT 1 FROM transitions t WHERE t.machine = 'agent state detail' AND t.from_state = current_detail AND t.to_state = new_detail) THEN
        RETURN 'agent state detail ' || current_detail || ' → ' || new_detail || ' is not allowed';
    END IF;
    RETURN NULL;
END
$$;

-- The latest activity of each agent from events of other partitions (executions, tool runs),
-- kept as a commutative maximum so agents.last_active_at is right whatever the order. Both
-- sides upsert this row first; its lock orders them, so neither misses the other's time.
CREATE TABLE agent_activity (agent_id uuid PRIMARY KEY, last_active_at timestamptz NOT NULL);

CREATE FUNCTION touch_agent(agent uuid, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO agent_activity (agent_id, last_active_at) VALUES (agent, at)
    ON CONFLICT (agent_id) DO UPDATE SET last_active_at = GREATEST(agent_activity.last_active_at, EXCLUDED.last_active_at);
    UPDATE agents SET last_active_at = GREATEST(last_active_at, at) WHERE id = agent;
END
$$;

-- The agents' last activity from a batch of other read models' events (executions, tool runs):
-- one touch per agent with its latest time among them (touch_agent keeps the maximum, so order
-- does not matter), in agent order so that partitions touching the same agents lock them alike.
CREATE FUNCTION touch_agents(events jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- PERFORM runs the whole query (a SQL function returning void would stop at its first row).
    PERFORM touch_agent(latest.agent, latest.at) FROM (
        SELECT (e->'data'->>'agent_id')::uuid AS agent, max((e->>'time')::timestamptz) AS at
        FROM jsonb_array_elements(events) AS e
        GROUP BY 1
        ORDER BY 1
    ) latest;
END
$$;
