-- Agents: one row per agent, owned by the agent's events (partition key = agent id).
-- Half-full pages: an update that changes no indexed column (a status detail, a specialization,
-- the last activity) then stays on the row's page and touches no index (HOT). One session,
-- 40k agents: a specialization UPDATE went from 37 to 15 µs; the agents rebuild of
-- `berrys-bench replay` (200k events) from 33.8 to 27–33 µs of PostgreSQL per event.
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
) WITH (fillfactor = 50);
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
-- A batch's several statements still lock rows in more than one order, so touches deadlock with
-- the agents' own batches and with each other's; PostgreSQL finds a deadlock only after
-- deadlock_timeout (1 s). Every such cycle has a touch in it, so a touch waits at most 100 ms
-- for a row (lock_not_available is transient: the batch is rolled back and applied again).
CREATE FUNCTION touch_agents(events jsonb) RETURNS void LANGUAGE plpgsql
    SET lock_timeout = '100ms' AS $$
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

-- The batch handlers of the agents' own events (handlers/*.batch.sql call the functions below)
-- give what their events one at a time would give, and are set-based: one statement per batch
-- or round rather than one per event. They run with sequential scans off: a batch touches a
-- few rows of a table that grows while a build runs, and the planner, which guesses 100 rows for
-- jsonb_array_elements, chose to scan all of agents for each batch (seen in the plans of a
-- 200k-event rebuild). Per-event handlers took the agents rebuild of `berrys-bench replay`
-- (200k events) 6.2 s and 44.8 µs of PostgreSQL per event; these take 4.1–4.9 s and 27–33 µs.

-- The rounds of a batch: round k holds each agent's k-th event of the batch (a jsonb array, in
-- log order). One set-based statement per round then touches each agent once and sees what the
-- round before did. A batch of one event per agent is one round. (Status changes, two per
-- agent in a batch and more, walk each agent's chain in one recursive statement instead:
-- apply_agent_status_changes.)
CREATE FUNCTION agent_rounds(events jsonb) RETURNS SETOF jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_agg(e ORDER BY ord) FROM (
        SELECT e, ord, row_number() OVER (PARTITION BY e->'data'->>'agent_id' ORDER BY ord) AS round
        FROM jsonb_array_elements(events) WITH ORDINALITY AS t(e, ord)
    ) ranked
    GROUP BY round
    ORDER BY round
$$;

-- agent.created, a batch at a time (see agent_rounds). The activity row is the meeting point with
-- execution events of other partitions: upserting it waits for any concurrent upsert of the
-- same agent, so the maximum is never missed; rows are upserted in agent order, as touch_agents
-- does, so that two partitions lock them alike.
CREATE FUNCTION apply_agent_creations(events jsonb) RETURNS void LANGUAGE plpgsql
    SET enable_seqscan = off AS $$
DECLARE
    round jsonb;
BEGIN
    FOR round IN SELECT agent_rounds(events) LOOP
        WITH created AS (
            SELECT e, (e->'data'->>'agent_id')::uuid AS agent, (e->>'time')::timestamptz AS at
            FROM jsonb_array_elements(round) AS e
        ), activity AS (
            INSERT INTO agent_activity AS a (agent_id, last_active_at)
            SELECT agent, at FROM created ORDER BY agent
            ON CONFLICT (agent_id) DO UPDATE SET last_active_at = GREATEST(a.last_active_at, EXCLUDED.last_active_at)
            RETURNING agent_id, last_active_at
        )
        INSERT INTO agents (id, name, description, agent_type, project_id, template_id, specializations, capabilities,
                            configuration, version, created_at, updated_at, last_active_at)
        SELECT agent, e->'data'->>'name', e->'data'->>'description', e->'data'->>'agent_type',
               (e->'data'->>'project_id')::uuid, (e->'data'->>'template_id')::uuid,
               ARRAY(SELECT jsonb_array_elements_text(COALESCE(e->'data'->'specializations', '[]'))),
               ARRAY(SELECT jsonb_array_elements_text(COALESCE(e->'data'->'capabilities', '[]'))),
               e->'data'->'configuration', (e->>'sequence')::bigint, at, at, activity.last_active_at
        FROM created JOIN activity ON activity.agent_id = created.agent
        ON CONFLICT (id) DO NOTHING;
    END LOOP;
END
$$;

-- agent.specialization.added and .removed, a batch at a time (see agent_rounds); an event the
-- row has seen already (its version) changes nothing.
CREATE FUNCTION apply_agent_specializations(events jsonb, adding boolean) RETURNS void LANGUAGE plpgsql
    SET enable_seqscan = off AS $$
DECLARE
    round jsonb;
BEGIN
    FOR round IN SELECT agent_rounds(events) LOOP
        UPDATE agents SET
            specializations = CASE WHEN NOT adding THEN array_remove(specializations, change.specialization)
                                   WHEN change.specialization = ANY(specializations) THEN specializations
                                   ELSE specializations || change.specialization END,
            version = change.sequence,
            updated_at = change.at
        FROM (
            SELECT (e->'data'->>'agent_id')::uuid AS agent, e->'data'->>'specialization' AS specialization,
                   (e->>'sequence')::bigint AS sequence, (e->>'time')::timestamptz AS at
            FROM jsonb_array_elements(round) AS e
        ) change
        WHERE agents.id = change.agent AND agents.version < change.sequence;
    END LOOP;
END
$$;

-- agent.updated, a batch at a time (see agent_rounds); an event the row has seen already (its
-- version) changes nothing.
CREATE FUNCTION apply_agent_updates(events jsonb) RETURNS void LANGUAGE plpgsql
    SET enable_seqscan = off AS $$
DECLARE
    round jsonb;
BEGIN
    FOR round IN SELECT agent_rounds(events) LOOP
        UPDATE agents SET
            name = COALESCE(e->'data'->'changes'->>'name', name),
            description = CASE WHEN e->'data'->'changes' ? 'description' THEN e->'data'->'changes'->>'description' ELSE description END,
            configuration = CASE WHEN e->'data'->'changes' ? 'configuration' THEN e->'data'->'changes'->'configuration' ELSE configuration END,
            project_id = COALESCE((e->'data'->'changes'->>'project_id')::uuid, project_id),
            version = (e->>'sequence')::bigint,
            updated_at = (e->>'time')::timestamptz,
            last_active_at = GREATEST(last_active_at, (e->>'time')::timestamptz)
        FROM jsonb_array_elements(round) AS e
        WHERE agents.id = (e->'data'->>'agent_id')::uuid AND agents.version < (e->>'sequence')::bigint;
    END LOOP;
END
$$;

-- agent.status_changed, a batch at a time: each agent's changes are walked in log order from its
-- state before the batch (a recursive query, all agents at once, one step per change); a change
-- is refused, with the reason in rejected_events, unless the agent exists, the event's previous
-- state is the one the walk reached, something changes, and each machine that moves makes a move
-- the transitions table allows. Accepted changes get a history row each; each agent's row is
-- updated once, to where its walk ended (one row version per batch instead of one per change).
CREATE FUNCTION apply_agent_status_changes(events jsonb) RETURNS void LANGUAGE plpgsql
    SET enable_seqscan = off AS $$
BEGIN
    WITH RECURSIVE change AS (
        SELECT e, (e->'data'->>'agent_id')::uuid AS agent_id,
               row_number() OVER (PARTITION BY e->'data'->>'agent_id' ORDER BY ord) AS step,
               e->'data'->>'previous_status' AS previous_status, e->'data'->>'new_status' AS new_status,
               e->'data'->>'previous_state_detail' AS previous_detail, e->'data'->>'new_state_detail' AS new_detail
        FROM jsonb_array_elements(events) WITH ORDINALITY AS t(e, ord)
    ), walk AS (
        SELECT agent.id AS agent_id, 0::bigint AS step, a.id IS NOT NULL AS found, a.status, a.state_detail,
               NULL::jsonb AS e, NULL::text AS problem
        FROM (SELECT DISTINCT agent_id AS id FROM change) agent LEFT JOIN agents a ON a.id = agent.id
        UNION ALL
        SELECT walk.agent_id, change.step, walk.found,
               CASE WHEN judged.problem IS NULL THEN change.new_status ELSE walk.status END,
               CASE WHEN judged.problem IS NULL THEN change.new_detail ELSE walk.state_detail END,
               change.e, judged.problem
        FROM walk
        JOIN change ON change.agent_id = walk.agent_id AND change.step = walk.step + 1
        LEFT JOIN transitions status_move ON status_move.machine = 'agent status'
            AND status_move.from_state = walk.status AND status_move.to_state = change.new_status
        LEFT JOIN transitions detail_move ON detail_move.machine = 'agent state detail'
            AND detail_move.from_state = walk.state_detail AND detail_move.to_state = change.new_detail
        CROSS JOIN LATERAL (SELECT CASE
            WHEN NOT walk.found THEN 'agent ' || (change.e->'data'->>'agent_id') || ' does not exist'
            WHEN walk.status <> change.previous_status OR walk.state_detail <> change.previous_detail THEN
                'agent is ' || walk.status || '/' || walk.state_detail || ', but the event says it was '
                || change.previous_status || '/' || change.previous_detail
            WHEN change.new_status = walk.status AND change.new_detail = walk.state_detail THEN
                'agent status change changes nothing (' || walk.status || '/' || walk.state_detail || ')'
            WHEN change.new_status <> walk.status AND status_move.to_state IS NULL THEN
                'agent status ' || walk.status || ' → ' || change.new_status || ' is not allowed'
            WHEN change.new_detail <> walk.state_detail AND detail_move.to_state IS NULL THEN
                'agent state detail ' || walk.state_detail || ' → ' || change.new_detail || ' is not allowed'
        END AS problem) judged
    ), rejected AS (
        INSERT INTO rejected_events (event_id, type, subject, reason, time, position)
        SELECT e->>'id', e->>'type', e->>'subject', problem, (e->>'time')::timestamptz,
               (e->'position'->>'partition') || '-' || (e->'position'->>'stream_id')
        FROM walk WHERE problem IS NOT NULL
        ON CONFLICT (event_id) DO NOTHING
    ), history AS (
        INSERT INTO agent_state_history (event_id, agent_id, from_status, to_status, from_state_detail, to_state_detail,
                                         reason, time, sequence)
        SELECT e->>'id', agent_id, e->'data'->>'previous_status', status, e->'data'->>'previous_state_detail', state_detail,
               e->'data'->>'reason', (e->>'time')::timestamptz, (e->>'sequence')::bigint
        FROM walk WHERE step > 0 AND problem IS NULL
        ON CONFLICT (event_id) DO NOTHING
    )
    UPDATE agents SET
        status = final.status,
        state_detail = final.state_detail,
        version = final.sequence,
        updated_at = final.time,
        last_active_at = GREATEST(agents.last_active_at, final.latest)
    FROM (
        SELECT DISTINCT ON (agent_id) agent_id, status, state_detail, (e->>'sequence')::bigint AS sequence,
               (e->>'time')::timestamptz AS time,
               max((e->>'time')::timestamptz) OVER (PARTITION BY agent_id) AS latest
        FROM walk WHERE step > 0 AND problem IS NULL
        ORDER BY agent_id, step DESC
    ) final
    WHERE agents.id = final.agent_id;
END
$$;
