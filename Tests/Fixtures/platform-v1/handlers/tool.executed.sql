INSERT INTO agent_tools AS t (tool_id, agent_id, executions, failures, total_duration_ms)
VALUES (($1->'data'->>'tool_id')::uuid, ($1->'data'->>'agent_id')::uuid, 1,
        CASE WHEN ($1->'data'->>'success')::boolean THEN 0 ELSE 1 END, ($1->'data'->>'duration_ms')::numeric)
ON CONFLICT (agent_id, tool_id) DO UPDATE SET executions = t.executions + 1, failures = t.failures + EXCLUDED.failures,
    total_duration_ms = t.total_duration_ms + EXCLUDED.total_duration_ms;
SELECT touch_agent(($1->'data'->>'agent_id')::uuid, ($1->>'time')::timestamptz);
