WITH decision AS (
    SELECT status_change_problem('execution state', 'execution ' || ($1->'data'->>'execution_id'),
                                 (SELECT state FROM agent_executions WHERE id = ($1->'data'->>'execution_id')::uuid),
                                 $1->'data'->>'previous_state', $1->'data'->>'new_state') AS problem
), rejected AS (
    INSERT INTO rejected_events (event_id, type, subject, reason, time, position)
    SELECT $1->>'id', $1->>'type', $1->>'subject', problem, ($1->>'time')::timestamptz,
           ($1->'position'->>'partition') || '-' || ($1->'position'->>'stream_id')
    FROM decision WHERE problem IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING
)
UPDATE agent_executions SET
    state = $1->'data'->>'new_state',
    started_at = CASE WHEN $1->'data'->>'new_state' = 'RUNNING' THEN COALESCE(started_at, ($1->>'time')::timestamptz) ELSE started_at END,
    completed_at = CASE WHEN $1->'data'->>'new_state' IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN ($1->>'time')::timestamptz ELSE completed_at END,
    version = ($1->>'sequence')::bigint
FROM decision
WHERE decision.problem IS NULL AND agent_executions.id = ($1->'data'->>'execution_id')::uuid;
