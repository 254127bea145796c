INSERT INTO agent_executions (id, agent_id, task_id, title, description, priority, deadline, state, queued_at, version)
VALUES (($1->'data'->>'execution_id')::uuid, ($1->'data'->>'agent_id')::uuid, ($1->'data'->>'task_id')::uuid,
        $1->'data'->>'title', $1->'data'->>'description', $1->'data'->>'priority', ($1->'data'->>'deadline')::timestamptz,
        'QUEUED', ($1->>'time')::timestamptz, ($1->>'sequence')::bigint)
ON CONFLICT (id) DO NOTHING;
