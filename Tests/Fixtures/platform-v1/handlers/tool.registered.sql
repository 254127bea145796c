INSERT INTO tools (id, name, category, version, capabilities, registered_at)
VALUES (($1->'data'->>'tool_id')::uuid, $1->'data'->>'name', $1->'data'->>'category', $1->'data'->>'version',
        ARRAY(SELECT jsonb_array_elements_text(COALESCE($1->'data'->'capabilities', '[]'))), ($1->>'time')::timestamptz)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category, version = EXCLUDED.version,
    capabilities = EXCLUDED.capabilities;
