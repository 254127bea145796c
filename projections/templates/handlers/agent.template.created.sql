INSERT INTO agent_templates (id, name, agent_type, parameters, capabilities, prompt_template, created_at, updated_at)
VALUES (($1->'data'->>'template_id')::uuid, $1->'data'->>'name', $1->'data'->>'agent_type', $1->'data'->'parameters',
        ARRAY(SELECT jsonb_array_elements_text(COALESCE($1->'data'->'capabilities', '[]'))), $1->'data'->>'prompt_template',
        ($1->>'time')::timestamptz, ($1->>'time')::timestamptz)
ON CONFLICT (id) DO NOTHING;
