UPDATE planning_tasks SET assigned_agent_id = ($1->'data'->>'agent_id')::uuid, version = ($1->>'sequence')::bigint,
                          updated_at = ($1->>'time')::timestamptz
WHERE id = ($1->'data'->>'task_id')::uuid AND version < ($1->>'sequence')::bigint;
