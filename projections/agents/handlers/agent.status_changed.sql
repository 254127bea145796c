-- One statement: decide once, then either record the rejection or apply the change.
WITH decision AS (
    SELECT agent_status_change_problem($1) AS problem
), rejected AS (
    INSERT INTO rejected_events (event_id, type, subject, reason, time, position)
    SELECT $1->>'id', $1->>'type', $1->>'subject', problem, ($1->>'time')::timestamptz,
           ($1->'position'->>'partition') || '-' || ($1->'position'->>'stream_id')
    FROM decision WHERE problem IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING
), history AS (
    INSERT INTO agent_state_history (event_id, agent_id, from_status, to_status, from_state_detail, to_state_detail,
                                     reason, time, sequence)
    SELECT $1->>'id', ($1->'data'->>'agent_id')::uuid, $1->'data'->>'previous_status', $1->'data'->>'new_status',
           $1->'data'->>'previous_state_detail', $1->'data'->>'new_state_detail', $1->'data'->>'reason',
           ($1->>'time')::timestamptz, ($1->>'sequence')::bigint
    FROM decision WHERE problem IS NULL
    ON CONFLICT (event_id) DO NOTHING
)
UPDATE agents SET
    status = $1->'data'->>'new_status',
    state_detail = $1->'data'->>'new_state_detail',
    version = ($1->>'sequence')::bigint,
    updated_at = ($1->>'time')::timestamptz,
    last_active_at = GREATEST(last_active_at, ($1->>'time')::timestamptz)
FROM decision
WHERE decision.problem IS NULL AND agents.id = ($1->'data'->>'agent_id')::uuid;
