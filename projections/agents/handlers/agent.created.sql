-- The activity row is the meeting point with execution events of other partitions: upserting
-- it waits for any concurrent upsert of the same agent, so the maximum is never missed.
WITH activity AS (
    INSERT INTO agent_activity AS a (agent_id, last_active_at)
    VALUES (($1->'data'->>'agent_id')::uuid, ($1->>'time')::timestamptz)
    ON CONFLICT (agent_id) DO UPDATE SET last_active_at = GREATEST(a.last_active_at, EXCLUDED.last_active_at)
    RETURNING last_active_at
)
INSERT INTO agents (id, name, description, agent_type, project_id, template_id, specializations, capabilities,
                    configuration, version, created_at, updated_at, last_active_at)
SELECT ($1->'data'->>'agent_id')::uuid, $1->'data'->>'name', $1->'data'->>'description', $1->'data'->>'agent_type',
       ($1->'data'->>'project_id')::uuid, ($1->'data'->>'template_id')::uuid,
       ARRAY(SELECT jsonb_array_elements_text(COALESCE($1->'data'->'specializations', '[]'))),
       ARRAY(SELECT jsonb_array_elements_text(COALESCE($1->'data'->'capabilities', '[]'))),
       $1->'data'->'configuration', ($1->>'sequence')::bigint,
       ($1->>'time')::timestamptz, ($1->>'time')::timestamptz, activity.last_active_at
FROM activity
ON CONFLICT (id) DO NOTHING;
