UPDATE agent_executions SET result = $1->'data'->'result', error_message = $1->'data'->>'error_message',
                            state = $1->'data'->>'outcome',
                            progress = CASE WHEN $1->'data'->>'outcome' = 'COMPLETED' THEN 100 ELSE progress END,
                            completed_at = COALESCE(completed_at, ($1->>'time')::timestamptz),
                            version = ($1->>'sequence')::bigint
WHERE id = ($1->'data'->>'execution_id')::uuid AND version < ($1->>'sequence')::bigint;
