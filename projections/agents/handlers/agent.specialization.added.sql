UPDATE agents SET
    specializations = CASE WHEN $1->'data'->>'specialization' = ANY(specializations) THEN specializations
                           ELSE specializations || ($1->'data'->>'specialization') END,
    version = ($1->>'sequence')::bigint,
    updated_at = ($1->>'time')::timestamptz
WHERE id = ($1->'data'->>'agent_id')::uuid AND version < ($1->>'sequence')::bigint;
