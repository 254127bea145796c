UPDATE agent_executions SET progress = ($1->'data'->>'progress_percentage')::numeric,
                            status_message = COALESCE($1->'data'->>'status_message', status_message),
                            version = ($1->>'sequence')::bigint
WHERE id = ($1->'data'->>'execution_id')::uuid AND version < ($1->>'sequence')::bigint;
SELECT touch_agent(($1->'data'->>'agent_id')::uuid, ($1->>'time')::timestamptz);
