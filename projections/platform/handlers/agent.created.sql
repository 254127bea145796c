INSERT INTO agents (id, name, description, agent_type, project_id, template_id, specializations, capabilities,
                    configuration, version, created_at, updated_at, last_active_at)
VALUES (($1->'data'->>'agent_id')::uuid, $1->'data'->>'name', $1->'data'->>'description', $1->'data'->>'agent_type',
        ($1->'data'->>'project_id')::uuid, ($1->'data'->>'template_id')::uuid,
        ARRAY(SELECT jsonb_array_elements_text(COALESCE($1->'data'->'specializations', '[]'))),
        ARRAY(SELECT jsonb_array_elements_text(COALESCE($1->'data'->'capabilities', '[]'))),
        $1->'data'->'configuration', ($1->>'sequence')::bigint,
        ($1->>'time')::timestamptz, ($1->>'time')::timestamptz,
        GREATEST(($1->>'time')::timestamptz,
                 (SELECT last_active_at FROM agent_activity WHERE agent_id = ($1->'data'->>'agent_id')::uuid)))
ON CONFLICT (id) DO NOTHING;
