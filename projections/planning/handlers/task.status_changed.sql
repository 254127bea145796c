WITH decision AS (
    SELECT status_change_problem('task status', 'task ' || ($1->'data'->>'task_id'),
                                 (SELECT status FROM planning_tasks WHERE id = ($1->'data'->>'task_id')::uuid),
                                 $1->'data'->>'previous_status', $1->'data'->>'new_status') AS problem
), rejected AS (
    INSERT INTO rejected_events (event_id, type, subject, reason, time, position)
    SELECT $1->>'id', $1->>'type', $1->>'subject', problem, ($1->>'time')::timestamptz,
           ($1->'position'->>'partition') || '-' || ($1->'position'->>'stream_id')
    FROM decision WHERE problem IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING
), changed AS (
    UPDATE planning_tasks SET status = $1->'data'->>'new_status', result = COALESCE($1->'data'->'result', result),
                              version = ($1->>'sequence')::bigint, updated_at = ($1->>'time')::timestamptz
    FROM decision
    WHERE decision.problem IS NULL AND planning_tasks.id = ($1->'data'->>'task_id')::uuid
    RETURNING planning_tasks.plan_id
)
SELECT count_task(plan_id, $1->'data'->>'previous_status', -1), count_task(plan_id, $1->'data'->>'new_status', 1) FROM changed;
