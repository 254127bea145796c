WITH created AS (
    INSERT INTO planning_tasks (id, plan_id, name, description, priority, due_date, estimated_hours, required_skills,
                                version, created_at, updated_at)
    VALUES (($1->'data'->>'task_id')::uuid, ($1->'data'->>'plan_id')::uuid, $1->'data'->>'name', $1->'data'->>'description',
            $1->'data'->>'priority', ($1->'data'->>'due_date')::timestamptz, ($1->'data'->>'estimated_hours')::numeric,
            ARRAY(SELECT jsonb_array_elements_text(COALESCE($1->'data'->'required_skills', '[]'))),
            ($1->>'sequence')::bigint, ($1->>'time')::timestamptz, ($1->>'time')::timestamptz)
    ON CONFLICT (id) DO NOTHING
    RETURNING plan_id
)
SELECT count_task(plan_id, NULL, 1) FROM created;
