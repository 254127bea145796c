INSERT INTO task_dependencies (task_id, depends_on_task_id, dependency_type)
VALUES (($1->'data'->>'task_id')::uuid, ($1->'data'->>'depends_on_task_id')::uuid, $1->'data'->>'dependency_type')
ON CONFLICT (task_id, depends_on_task_id) DO UPDATE SET dependency_type = EXCLUDED.dependency_type;
