WITH decision AS (
    SELECT status_change_problem('plan status', 'plan ' || ($1->'data'->>'plan_id'),
                                 (SELECT status FROM plans WHERE id = ($1->'data'->>'plan_id')::uuid),
                                 $1->'data'->>'previous_status', $1->'data'->>'new_status') AS problem
), rejected AS (
    INSERT INTO rejected_events (event_id, type, subject, reason, time, position)
    SELECT $1->>'id', $1->>'type', $1->>'subject', problem, ($1->>'time')::timestamptz,
           ($1->'position'->>'partition') || '-' || ($1->'position'->>'stream_id')
    FROM decision WHERE problem IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING
)
UPDATE plans SET status = $1->'data'->>'new_status', updated_at = ($1->>'time')::timestamptz
FROM decision
WHERE decision.problem IS NULL AND plans.id = ($1->'data'->>'plan_id')::uuid;
