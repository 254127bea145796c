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

-- status_change_problem: from the transitions reference data (it was defined here before the split).

-- Templates and their published versions (owned by template_id).
CREATE TABLE agent_templates (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    agent_type text NOT NULL,
    parameters jsonb,
    capabilities text[] NOT NULL DEFAULT '{}',
    prompt_template text,
    latest_version int,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE agent_template_versions (
    template_id uuid NOT NULL,
    version_number int NOT NULL,
    content jsonb NOT NULL,
    changelog text,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (template_id, version_number)
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
    version bigint NOT NULL
);
CREATE INDEX agent_executions_agent ON agent_executions (agent_id, queued_at);

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
-- plan's own events have not been applied yet.
CREATE FUNCTION count_task(plan uuid, status text, delta int) RETURNS void LANGUAGE plpgsql AS $$
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

-- Messages (owned by their partition key: the topic, or the direct recipient), each
-- recipient's inbox, and topic subscriptions (owned by the topic).
CREATE TABLE agent_messages (
    id uuid PRIMARY KEY,
    from_agent_id uuid NOT NULL,
    routing_kind text NOT NULL,
    topic text,
    recipient_id uuid,
    content text NOT NULL,
    priority int NOT NULL,
    sent_at timestamptz NOT NULL
);
CREATE TABLE agent_inbox (
    message_id uuid NOT NULL,
    recipient_id uuid NOT NULL,
    from_agent_id uuid,
    topic text,
    content text,
    priority int,
    sent_at timestamptz,
    delivered_at timestamptz NOT NULL,
    PRIMARY KEY (recipient_id, message_id)
);
CREATE TABLE topic_subscriptions (
    topic text NOT NULL,
    agent_id uuid NOT NULL,
    subscribed_at timestamptz NOT NULL,
    PRIMARY KEY (topic, agent_id)
);

-- Models and their usage (owned by model_id).
CREATE TABLE models (
    id text PRIMARY KEY,
    provider text NOT NULL,
    capabilities text[] NOT NULL DEFAULT '{}',
    context_window int,
    cost_per_1k_tokens numeric,
    registered_at timestamptz NOT NULL
);
CREATE TABLE model_usage (
    model_id text PRIMARY KEY,
    requests bigint NOT NULL DEFAULT 0,
    failures bigint NOT NULL DEFAULT 0,
    tokens_in bigint NOT NULL DEFAULT 0,
    tokens_out bigint NOT NULL DEFAULT 0,
    total_cost numeric NOT NULL DEFAULT 0,
    total_latency_ms numeric NOT NULL DEFAULT 0,
    max_latency_ms numeric NOT NULL DEFAULT 0,
    average_latency_ms numeric GENERATED ALWAYS AS (CASE WHEN requests > 0 THEN total_latency_ms / requests END) STORED
);

-- Tools, which agents may use them, and how their runs went (owned by tool_id).
CREATE TABLE tools (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    category text,
    version text,
    capabilities text[] NOT NULL DEFAULT '{}',
    registered_at timestamptz NOT NULL
);
CREATE TABLE agent_tools (
    tool_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    permissions text[] NOT NULL DEFAULT '{}',
    integrated_at timestamptz,
    executions bigint NOT NULL DEFAULT 0,
    failures bigint NOT NULL DEFAULT 0,
    total_duration_ms numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (agent_id, tool_id)
);
