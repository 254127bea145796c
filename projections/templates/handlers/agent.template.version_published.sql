INSERT INTO agent_template_versions (template_id, version_number, content, changelog, published_at)
VALUES (($1->'data'->>'template_id')::uuid, ($1->'data'->>'version_number')::int, $1->'data'->'content',
        $1->'data'->>'changelog', ($1->>'time')::timestamptz)
ON CONFLICT (template_id, version_number) DO NOTHING;
UPDATE agent_templates SET latest_version = GREATEST(COALESCE(latest_version, 0), ($1->'data'->>'version_number')::int),
                           updated_at = ($1->>'time')::timestamptz
WHERE id = ($1->'data'->>'template_id')::uuid;
