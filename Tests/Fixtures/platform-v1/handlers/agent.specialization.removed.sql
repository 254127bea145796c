UPDATE agents SET
    specializations = array_remove(specializations, $1->'data'->>'specialization'),
    version = ($1->>'sequence')::bigint,
    updated_at = ($1->>'time')::timestamptz
WHERE id = ($1->'data'->>'agent_id')::uuid AND version < ($1->>'sequence')::bigint;
