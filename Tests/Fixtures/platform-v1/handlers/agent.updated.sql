UPDATE agents SET
    name = COALESCE($1->'data'->'changes'->>'name', name),
    description = CASE WHEN $1->'data'->'changes' ? 'description' THEN $1->'data'->'changes'->>'description' ELSE description END,
    configuration = CASE WHEN $1->'data'->'changes' ? 'configuration' THEN $1->'data'->'changes'->'configuration' ELSE configuration END,
    project_id = COALESCE(($1->'data'->'changes'->>'project_id')::uuid, project_id),
    version = ($1->>'sequence')::bigint,
    updated_at = ($1->>'time')::timestamptz,
    last_active_at = GREATEST(last_active_at, ($1->>'time')::timestamptz)
WHERE id = ($1->'data'->>'agent_id')::uuid AND version < ($1->>'sequence')::bigint;
